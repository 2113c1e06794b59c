package identity

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The login file keeps what `starter login` obtained, so that later
// commands prove who runs them without a sign-in each time:
//
//	{"slack": {"token": "…", "subject": "U…", "team": "T…", "expires": "…"},
//	 "salesforce": {"00D…": {"token": "…", "subject": "005…", "org": "00D…",
//	                         "org_url": "https://….my.salesforce.com",
//	                         "username": "…", "expires": "…"}}}
//
// at $XDG_CONFIG_HOME/sfconnect/login.json, or ~/.config/sfconnect/login.json,
// mode 0600 (its tokens act as the person until they expire).
const (
	// LoginDir and LoginFileName make the path under the config directory.
	LoginDir      = "sfconnect"
	LoginFileName = "login.json"
)

// Logins is the login file's content.
type Logins struct {
	// Slack is the Slack sign-in (one workspace at a time).
	Slack *Login `json:"slack,omitempty"`
	// Salesforce are the Salesforce sign-ins, by org id.
	Salesforce map[string]Login `json:"salesforce,omitempty"`
}

// Login is one sign-in: its login token and who it proves.
type Login struct {
	Token   string `json:"token"`
	Subject string `json:"subject"` // the Slack member id or Salesforce user id
	Team    string `json:"team,omitempty"`
	Org     string `json:"org,omitempty"`
	// OrgURL and Username let a command name the org by URL and the user
	// by username (Salesforce).
	OrgURL   string    `json:"org_url,omitempty"`
	Username string    `json:"username,omitempty"`
	Expires  time.Time `json:"expires"`
}

// Live reports whether the login is still good at now.
func (l Login) Live(now time.Time) bool { return l.Token != "" && now.Before(l.Expires) }

// LoginPath is where the login file lives, from getenv's XDG_CONFIG_HOME
// or HOME; "" when neither is set (then there is no login file).
func LoginPath(getenv func(string) string) string {
	if dir := getenv("XDG_CONFIG_HOME"); dir != "" {
		return filepath.Join(dir, LoginDir, LoginFileName)
	}
	if home := getenv("HOME"); home != "" {
		return filepath.Join(home, ".config", LoginDir, LoginFileName)
	}
	return ""
}

// ReadLogins reads the login file at path; a file that does not exist is
// no logins. A file others may read is refused, as ssh refuses a key: its
// tokens may already have leaked.
func ReadLogins(path string) (Logins, error) {
	var l Logins
	if path == "" {
		return l, nil
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return l, fmt.Errorf("login file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return l, fmt.Errorf("login file: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return l, fmt.Errorf("login file %s can be read by others (mode %v): run `chmod 600 %s`, then `starter login` again, since its tokens may have leaked", path, st.Mode().Perm(), path)
	}
	if err := json.NewDecoder(f).Decode(&l); err != nil {
		return l, fmt.Errorf("login file %s is not valid: %w (remove it and run `starter login` again)", path, err)
	}
	return l, nil
}

// WriteLogins replaces the login file at path with l, mode 0600, in its
// directory (made 0700 if needed); a reader never sees half a file.
func WriteLogins(path string, l Logins) error {
	data, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("login file: %w", err)
	}
	tmp, err := os.CreateTemp(dir, "."+LoginFileName+".*")
	if err != nil {
		return fmt.Errorf("login file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("login file: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("login file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("login file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("login file: %w", err)
	}
	return nil
}

// ForSlack is the Slack login for workspace team, if one is live at now.
func (l Logins) ForSlack(team string, now time.Time) (Login, bool) {
	if l.Slack == nil || l.Slack.Team != team || !l.Slack.Live(now) {
		return Login{}, false
	}
	return *l.Slack, true
}

// ForSalesforce is the Salesforce login for an org, named by its id (15 or
// 18 characters) or its URL, if one is live at now.
func (l Logins) ForSalesforce(org string, now time.Time) (Login, bool) {
	for id, login := range l.Salesforce {
		if (SameID(id, org) || SameID(login.Org, org) || sameURL(login.OrgURL, org)) && login.Live(now) {
			return login, true
		}
	}
	return Login{}, false
}

// IsUser reports whether as names the login's user: its id or, for
// Salesforce, its username.
func (l Login) IsUser(side Side, as string) bool {
	if side == SideSalesforce {
		return SameID(l.Subject, as) || (l.Username != "" && strings.EqualFold(l.Username, as))
	}
	return l.Subject == as
}

func sameURL(a, b string) bool {
	norm := func(s string) string { return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), "/") }
	return a != "" && norm(a) == norm(b)
}
