package sandbox

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.uber.org/zap"
)

// Changes to orgs that the product must notice: a renamed My Domain (the
// old host then redirects) and IP restrictions enforced on its calls.

// Errors of the in-process API, wrapped with details; the control API maps
// them to 404, 409 and 400.
var (
	// ErrNotFound: no such org or workspace.
	ErrNotFound = errors.New("sandbox: not found")
	// ErrConflict: the change would clash with another org (a taken name).
	ErrConflict = errors.New("sandbox: conflict")
	// ErrInvalid: the request itself is wrong (a bad name, count or share).
	ErrInvalid = errors.New("sandbox: invalid request")
)

// myDomainName is what Salesforce accepts as a My Domain name (the "--" of
// sandbox names included).
var myDomainName = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// RenameOrg changes the org's My Domain name: newName's host (with the same
// suffix, e.g. .my.salesforce.com) becomes the org's, and the old host
// answers every request with a 301 to the new one. name may be the current
// name, a former one, or the org id.
func (s *Sandbox) RenameOrg(name, newName string) error {
	newName = strings.ToLower(strings.TrimSpace(newName))
	if !myDomainName.MatchString(newName) {
		return fmt.Errorf("%w: %q is not a valid My Domain name", ErrInvalid, newName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgByName(name)
	if o == nil {
		return fmt.Errorf("%w: no org named %q", ErrNotFound, name)
	}
	if newName == o.name {
		return nil
	}
	newHost := newName + o.suffix
	if other := s.hosts[newHost]; other != nil {
		return fmt.Errorf("%w: %s is already the My Domain of %s", ErrConflict, newHost, other.id)
	}
	if other := s.formerHosts[newHost]; other != nil && other != o {
		// Salesforce keeps an old My Domain for its redirect.
		return fmt.Errorf("%w: %s redirects to %s", ErrConflict, newHost, other.host)
	}
	old := o.host
	delete(s.hosts, old)
	s.formerHosts[old] = o
	o.former = append(slices.DeleteFunc(o.former, func(h string) bool { return h == newHost }), old)
	delete(s.formerHosts, newHost)
	o.name, o.host = newName, newHost
	s.hosts[newHost] = o
	s.log.Info("org renamed", zap.String("org", o.id), zap.String("from", old), zap.String("to", newHost))
	return nil
}

// SetIPEnforced turns on or off the enforcement of the org's login IP ranges
// on the product's calls: while on, every Salesforce API call to the org is
// refused with LOGIN_IP_RESTRICTED (the token endpoint with invalid_grant).
func (s *Sandbox) SetIPEnforced(name string, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgByName(name)
	if o == nil {
		return fmt.Errorf("%w: no org named %q", ErrNotFound, name)
	}
	o.ipEnforced = on
	s.log.Info("org IP enforcement", zap.String("org", o.id), zap.String("host", o.host), zap.Bool("on", on))
	return nil
}

// SetUserActive activates or deactivates the org's user of that username,
// as an admin does in Setup (tests: a user deactivated while a job waits).
func (s *Sandbox) SetUserActive(org, username string, active bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := s.orgByName(org)
	if o == nil {
		return fmt.Errorf("%w: no org named %q", ErrNotFound, org)
	}
	u := o.byUsername[strings.ToLower(username)]
	if u == nil {
		return fmt.Errorf("%w: no user %q in org %q", ErrNotFound, username, org)
	}
	u.IsActive = active
	return nil
}

// orgInfo describes an org for GET /sandbox/orgs.
type orgInfo struct {
	Name         string   `json:"name"`
	ID           string   `json:"id"`
	InstanceURL  string   `json:"instance_url"`
	InstanceName string   `json:"instance_name"`
	IsSandbox    bool     `json:"is_sandbox"`
	IPEnforced   bool     `json:"ip_enforced"`
	LoginIPRange int      `json:"login_ip_ranges"`
	Users        int      `json:"users"`
	FormerHosts  []string `json:"former_hosts,omitempty"`
}

func (s *Sandbox) orgInfos() []orgInfo {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]orgInfo, 0, len(s.orgs))
	for _, o := range s.orgs {
		out = append(out, orgInfo{
			Name: o.name, ID: o.id, InstanceURL: o.instanceURL(), InstanceName: o.instanceName,
			IsSandbox: o.isSandbox, IPEnforced: o.ipEnforced, LoginIPRange: len(o.ipRanges),
			Users: len(o.users), FormerHosts: slices.Clone(o.former),
		})
	}
	return out
}
