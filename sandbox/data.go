package sandbox

import (
	"cmp"
	"slices"
	"sort"
	"strings"
)

// The directory data. Records are created, then published into their
// workspace or org under Sandbox.mu and never modified afterwards (apart from
// the index chains, which only code holding Sandbox.mu reads), so a request
// may keep pointers to them after releasing the lock.

// SAMLNameIDField is the id of the Slack custom profile field that carries a
// member's SAML NameID (profile.fields.Xf0SAMLNAMEID.value).
const SAMLNameIDField = "Xf0SAMLNAMEID"

// SalesforceAdminRoleID is the id of the Slack admin role "Salesforce system
// administrator"; its assignments have entity_id = the team id.
const SalesforceAdminRoleID = "Rl0SFSYSADM"

// BotToken returns the bot token that selects the workspace teamID.
func BotToken(teamID string) string { return botTokenPrefix + teamID }

const botTokenPrefix = "xoxb-sandbox-"

// slackUser is one member of a workspace.
type slackUser struct {
	ID          string
	TeamID      string
	Name        string // the handle
	RealName    string
	DisplayName string
	Email       string
	SAMLNameID  string
	Updated     int64

	IsPrimaryOwner bool
	IsOwner        bool
	IsAdmin        bool
	Deleted        bool
	IsBot          bool
	// On an Enterprise workspace, the org-level roles (enterprise_user).
	EnterpriseOwner bool
	EnterpriseAdmin bool
}

// roleAssignment is one Slack admin role held by a member.
type roleAssignment struct {
	RoleID     string
	EntityID   string
	UserID     string
	DateCreate int64
}

// workspace is one Slack team and its members.
type workspace struct {
	id, name, domain, plan       string
	enterpriseID, enterpriseName string

	// bot is the app's own bot user: auth.test names it and users.info
	// finds it, but users.list leaves it out so that member counts are the
	// demo data's.
	bot *slackUser

	users   []*slackUser          // sorted by ID, for binary search and cursor paging
	byEmail map[string]*slackUser // lower-cased email → member
	roles   []roleAssignment
}

func newWorkspace(id, name, domain, plan string) *workspace {
	return &workspace{id: id, name: name, domain: domain, plan: plan, byEmail: map[string]*slackUser{}}
}

// addUsers publishes members. Generated ids are larger than every existing
// one, so the common case is an append; anything else re-sorts.
func (w *workspace) addUsers(us []*slackUser) {
	if len(us) > len(w.byEmail) {
		// Grow the index once rather than through repeated doublings.
		m := make(map[string]*slackUser, len(w.byEmail)+len(us))
		for k, v := range w.byEmail {
			m[k] = v
		}
		w.byEmail = m
	}
	sorted := len(w.users) == 0 || len(us) == 0 || w.users[len(w.users)-1].ID < us[0].ID
	for i, u := range us {
		if i > 0 && us[i-1].ID >= u.ID {
			sorted = false
		}
		if u.Email != "" {
			w.byEmail[strings.ToLower(u.Email)] = u
		}
	}
	w.users = append(w.users, us...)
	if !sorted {
		// Copy before sorting: a reader may hold the old slice.
		cp := slices.Clone(w.users)
		slices.SortFunc(cp, func(a, b *slackUser) int { return cmp.Compare(a.ID, b.ID) })
		w.users = cp
	}
}

// userByID finds a member (or the bot) of this workspace.
func (w *workspace) userByID(id string) *slackUser {
	if w.bot != nil && w.bot.ID == id {
		return w.bot
	}
	i, ok := slices.BinarySearchFunc(w.users, id, func(u *slackUser, id string) int { return cmp.Compare(u.ID, id) })
	if !ok {
		return nil
	}
	return w.users[i]
}

// after returns the position of the first member whose id is greater than id.
func (w *workspace) after(id string) int {
	return sort.Search(len(w.users), func(i int) bool { return w.users[i].ID > id })
}

// sfUser is one Salesforce User record.
type sfUser struct {
	ID           string
	Username     string
	Email        string
	FederationID string
	FirstName    string
	LastName     string
	Name         string
	ProfileID    string
	IsActive     bool

	// Chains of users sharing a lower-cased Email or FederationIdentifier,
	// so that the indexes stay map[string]*sfUser even for ambiguous keys.
	// Read and written only under Sandbox.mu.
	nextEmail *sfUser
	nextFed   *sfUser
}

type sfProfile struct{ ID, Name string }

type sfPermissionSet struct {
	ID, Name, Label  string
	IsOwnedByProfile bool
}

type sfPermSetAssignment struct{ ID, AssigneeID, PermissionSetID string }

type sfLoginIPRange struct{ ID, StartAddress, EndAddress, Description string }

// org is one Salesforce org.
type org struct {
	id           string
	name         string // the My Domain name: the host's first label
	host         string // the current My Domain host
	suffix       string // the host after the name: ".my.salesforce.com", ".sandbox.my.salesforce.com"…
	userDomain   string // the domain of the demo usernames, e.g. "acme.example"
	displayName  string // Organization.Name
	instanceName string
	orgType      string
	isSandbox    bool
	ipEnforced   bool
	former       []string // hosts it answered on before renames

	users       []*sfUser          // sorted by ID
	byUsername  map[string]*sfUser // lower-cased Username
	byEmail     map[string]*sfUser // lower-cased Email, head of a nextEmail chain
	byFed       map[string]*sfUser // lower-cased FederationIdentifier, head of a nextFed chain
	integration *sfUser            // who client_credentials tokens act as

	profiles    []*sfProfile
	permSets    []*sfPermissionSet
	assignments []*sfPermSetAssignment
	ipRanges    []*sfLoginIPRange
	objectPerms []*sfObjectPermission // what the permission sets grant per object type
	entities    []*sfEntity           // the object types the org has (EntityDefinition)
}

func (o *org) instanceURL() string { return "https://" + o.host }

// addUsers publishes users, keeping o.users sorted by Id and the indexes
// complete. As for workspaces, generated ids arrive in increasing order.
func (o *org) addUsers(us []*sfUser) {
	if o.byUsername == nil {
		o.byUsername, o.byEmail, o.byFed = map[string]*sfUser{}, map[string]*sfUser{}, map[string]*sfUser{}
	}
	if len(us) > len(o.byUsername) {
		o.byUsername = growMap(o.byUsername, len(us))
		o.byEmail = growMap(o.byEmail, len(us))
		o.byFed = growMap(o.byFed, len(us))
	}
	sorted := len(o.users) == 0 || len(us) == 0 || o.users[len(o.users)-1].ID < us[0].ID
	for i, u := range us {
		if i > 0 && us[i-1].ID >= u.ID {
			sorted = false
		}
		o.byUsername[strings.ToLower(u.Username)] = u
		if u.Email != "" {
			k := strings.ToLower(u.Email)
			u.nextEmail = o.byEmail[k]
			o.byEmail[k] = u
		}
		if u.FederationID != "" {
			k := strings.ToLower(u.FederationID)
			u.nextFed = o.byFed[k]
			o.byFed[k] = u
		}
	}
	o.users = append(o.users, us...)
	if !sorted {
		cp := slices.Clone(o.users)
		slices.SortFunc(cp, func(a, b *sfUser) int { return cmp.Compare(a.ID, b.ID) })
		o.users = cp
	}
}

func growMap(m map[string]*sfUser, n int) map[string]*sfUser {
	g := make(map[string]*sfUser, len(m)+n)
	for k, v := range m {
		g[k] = v
	}
	return g
}

// userByID finds a user by its 18-character id.
func (o *org) userByID(id string) *sfUser {
	i, ok := slices.BinarySearchFunc(o.users, id, func(u *sfUser, id string) int { return cmp.Compare(u.ID, id) })
	if !ok {
		return nil
	}
	return o.users[i]
}

// userByLogin finds a user by Username (case-insensitively) or by Id: the
// ways a sign-in names a user.
func (o *org) userByLogin(login string) *sfUser {
	if u := o.byUsername[strings.ToLower(login)]; u != nil {
		return u
	}
	return o.userByID(login)
}

func (o *org) profileByID(id string) *sfProfile {
	for _, p := range o.profiles {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func (o *org) permSetByID(id string) *sfPermissionSet {
	for _, p := range o.permSets {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// orgByName finds an org by its current My Domain name, a former one, or its
// id: the control API accepts any of them.
func (s *Sandbox) orgByName(name string) *org {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, o := range s.orgs {
		if o.name == name || strings.EqualFold(o.id, name) {
			return o
		}
	}
	for _, o := range s.orgs {
		for _, h := range o.former {
			if h == name+o.suffix {
				return o
			}
		}
	}
	return nil
}
