package slackapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// Slack's SCIM API, the only way Slack offers to create a member, and
// CreateMember on top of it. The admin token is an organization's SCIM
// token: the user it creates belongs to the organization, and
// admin.users.assign adds them to the workspace.

// DefaultSCIMURL is Slack's SCIM 2.0 base URL.
const DefaultSCIMURL = "https://api.slack.com/scim/v2/"

// maxSCIMErrorBody bounds how much of a refusal is read.
const maxSCIMErrorBody = 64 << 10

// SCIMError is a refusal of the SCIM API: its HTTP status and its detail
// (RFC 7644's "detail", or the description of Slack's SCIM 1.1 errors),
// which starts with Slack's code, such as "email_taken". Statuses of 500
// and above are Retryable, the others not.
type SCIMError struct {
	StatusCode int
	Detail     string
}

func (e *SCIMError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("SCIM HTTP %d", e.StatusCode)
	}
	return fmt.Sprintf("SCIM HTTP %d: %s", e.StatusCode, e.Detail)
}

// scimURLFor is where SCIM is served, from the Config and the Web API
// endpoint (with its trailing slash).
func scimURLFor(cfg Config, endpoint string) string {
	switch {
	case cfg.SCIMURL != "":
		return strings.TrimSuffix(cfg.SCIMURL, "/") + "/"
	case cfg.APIURL == "":
		return DefaultSCIMURL
	}
	return strings.TrimSuffix(endpoint, "api/") + "scim/v2/"
}

// scimUser is SCIM's user, as much of it as a new member needs.
type scimUser struct {
	Schemas  []string    `json:"schemas,omitempty"`
	ID       string      `json:"id,omitempty"`
	UserName string      `json:"userName"`
	Name     *scimName   `json:"name,omitempty"`
	Emails   []scimEmail `json:"emails"`
}

type scimName struct {
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
	Formatted  string `json:"formatted,omitempty"`
}

type scimEmail struct {
	Value   string `json:"value"`
	Primary bool   `json:"primary"`
}

// CreateMember makes a new member of teamID for email, named realName:
// a user of the organization through SCIM (POST /Users) with the admin
// token, then a member of the workspace (admin.users.assign), and returns
// them as users.info describes them. It is safe to call again after a
// failure or for an address SCIM already knows: the existing user is found
// by email and (re)assigned. It needs Config.AdminToken (ErrNoAdminToken).
func (d *Directory) CreateMember(ctx context.Context, teamID, email, realName string) (Member, error) {
	call := "CreateMember " + email
	if d.admin == nil {
		return Member{}, fmt.Errorf("slack %s in %s: %w", call, teamID, ErrNoAdminToken)
	}
	if teamID == "" || !strings.Contains(email, "@") {
		return Member{}, fmt.Errorf("slack %s in %s: a team id and an email are required", call, teamID)
	}
	id, err := d.scimUserFor(ctx, email, realName)
	if err != nil {
		return Member{}, d.adminError(teamID, "SCIM Users "+email, err)
	}
	var resp adminResponse
	form := url.Values{"team_id": {teamID}, "user_id": {id}}
	if err := d.callRaw(ctx, d.admin, "admin.users.assign", form, &resp); err != nil && slackErrorCode(err) != "user_already_team_member" {
		return Member{}, d.adminError(teamID, "admin.users.assign "+id, err, "user_not_found")
	}
	return d.Member(ctx, teamID, id)
}

// scimUserFor creates the organization's user for email, or finds the one
// that has it already, and returns its id.
func (d *Directory) scimUserFor(ctx context.Context, email, realName string) (string, error) {
	userName := userNameFor(email)
	for attempt := 0; ; attempt++ {
		var created scimUser
		err := d.scim(ctx, http.MethodPost, "Users", newSCIMUser(userName, email, realName), &created)
		if err == nil {
			if created.ID == "" {
				return "", errors.New("SCIM created a user without an id")
			}
			return created.ID, nil
		}
		se, ok := errors.AsType[*SCIMError](err)
		if !ok || se.StatusCode != http.StatusConflict {
			return "", err
		}
		// A conflict: the email's user exists (a retry, or someone known
		// to Slack already); else the handle is someone else's.
		if id, ferr := d.scimFindByEmail(ctx, email); ferr != nil || id != "" {
			return id, ferr
		}
		if attempt > 0 || !strings.Contains(se.Detail, "username") {
			return "", err
		}
		userName = uniqueUserName(userName, email)
	}
}

// scimFindByEmail returns the id of the user with that email, or "".
func (d *Directory) scimFindByEmail(ctx context.Context, email string) (string, error) {
	filter := `email eq "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(email) + `"`
	var list struct {
		Resources []scimUser `json:"Resources"`
	}
	if err := d.scim(ctx, http.MethodGet, "Users?"+url.Values{"filter": {filter}}.Encode(), nil, &list); err != nil {
		return "", err
	}
	for _, u := range list.Resources {
		for _, e := range u.Emails {
			if strings.EqualFold(e.Value, email) {
				return u.ID, nil
			}
		}
	}
	return "", nil
}

// scim sends one SCIM request with the admin token, and fails the way
// callRaw does for a 429 with Retry-After (*slack.RateLimitedError), else
// with a *SCIMError.
func (d *Directory) scim(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.scimURL+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+d.admin.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := d.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests {
		if secs, err := strconv.ParseInt(resp.Header.Get("Retry-After"), 10, 64); err == nil {
			return &slack.RateLimitedError{RetryAfter: time.Duration(secs) * time.Second}
		}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxSCIMErrorBody))
		return &SCIMError{StatusCode: resp.StatusCode, Detail: scimDetail(b)}
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode SCIM %s %s: %w", method, path, err)
	}
	return nil
}

// scimDetail reads an error body: RFC 7644's {"detail"}, Slack's SCIM 1.1
// {"Errors":{"description"}}, or the start of the body.
func scimDetail(b []byte) string {
	var e struct {
		Detail string `json:"detail"`
		Errors struct {
			Description string `json:"description"`
		} `json:"Errors"`
	}
	if json.Unmarshal(b, &e) == nil {
		if e.Detail != "" {
			return e.Detail
		}
		if e.Errors.Description != "" {
			return e.Errors.Description
		}
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// newSCIMUser is the user to create: realName split into given and family
// names at its first space.
func newSCIMUser(userName, email, realName string) scimUser {
	realName = strings.TrimSpace(realName)
	if realName == "" {
		realName = userName
	}
	given, family, _ := strings.Cut(realName, " ")
	return scimUser{
		Schemas:  []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		UserName: userName,
		Name:     &scimName{GivenName: given, FamilyName: strings.TrimSpace(family), Formatted: realName},
		Emails:   []scimEmail{{Value: email, Primary: true}},
	}
}

// maxUserName is the longest handle Slack accepts.
const maxUserName = 21

// userNameFor derives a handle from an email's local part: lower-case
// letters, digits, periods, hyphens and underscores, 21 at most.
func userNameFor(email string) string {
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	var b strings.Builder
	for _, r := range local {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.':
			b.WriteRune(r)
		case b.Len() > 0:
			b.WriteByte('.')
		}
	}
	name := strings.TrimLeft(b.String(), "._-")
	if len(name) > maxUserName {
		name = name[:maxUserName]
	}
	if name == "" {
		name = "member"
	}
	return name
}

// uniqueUserName makes a taken handle distinct with four hex digits of the
// email's hash, so that a retry picks the same one.
func uniqueUserName(userName, email string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(strings.ToLower(email)))
	suffix := fmt.Sprintf("-%04x", h.Sum32()&0xffff)
	if len(userName)+len(suffix) > maxUserName {
		userName = userName[:maxUserName-len(suffix)]
	}
	return userName + suffix
}
