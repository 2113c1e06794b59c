package sandbox

import (
	"sort"
	"strings"
)

// The Salesforce objects the sandbox serves, described once so that the
// SOQL engine, the record renderer and the sobjects endpoint share one
// definition of every field and relationship.

type fieldKind int

const (
	kindString fieldKind = iota
	kindID
	kindBool
)

// value is a field's value or a SOQL literal.
type value struct {
	kind valueKind
	s    string
	b    bool
}

type valueKind int

const (
	valNull valueKind = iota
	valString
	valBool
	valNumber
)

func strValue(s string) value {
	if s == "" {
		// Salesforce has no empty strings: a blank field is null.
		return value{kind: valNull}
	}
	return value{kind: valString, s: s}
}

func boolValue(b bool) value { return value{kind: valBool, b: b} }

type fieldDef struct {
	name string
	kind fieldKind
	get  func(row any) value
}

// relDef is a lookup relationship, e.g. User.Profile.
type relDef struct {
	name   string
	target *objectDef
	get    func(o *org, row any) any // nil when the lookup is empty
}

type objectDef struct {
	name   string
	fields []*fieldDef // in describe order, for retrieving a whole record
	byName map[string]*fieldDef
	rels   map[string]*relDef
	table  func(o *org) table
}

func (d *objectDef) field(name string) *fieldDef { return d.byName[strings.ToLower(name)] }

func (d *objectDef) id(row any) string { return d.byName["id"].get(row).s }

// table is an object's rows in one org, sorted by Id. Every method must be
// called with Sandbox.mu held (read or write).
type table interface {
	Len() int
	Row(i int) any
	// SeekID returns the position of the first row whose Id is >= id, or
	// > id when strict.
	SeekID(id string, strict bool) int
	// Lookup returns the rows whose field equals key case-insensitively;
	// ok is false when the field has no index and the caller must scan.
	Lookup(field, key string) (rows []any, ok bool)
}

// userTable serves User from the org's indexes, which is what makes
// equality and keyset queries fast over a million users.
type userTable struct{ o *org }

func (t userTable) Len() int      { return len(t.o.users) }
func (t userTable) Row(i int) any { return t.o.users[i] }

func (t userTable) SeekID(id string, strict bool) int {
	id = strings.ToUpper(id) // ids are upper case here; 18-char ids compare case-insensitively
	us := t.o.users
	if strict {
		return sort.Search(len(us), func(i int) bool { return us[i].ID > id })
	}
	return sort.Search(len(us), func(i int) bool { return us[i].ID >= id })
}

func (t userTable) Lookup(field, key string) ([]any, bool) {
	var rows []any
	switch field {
	case "Id":
		if u := t.o.userByID(strings.ToUpper(key)); u != nil {
			rows = append(rows, u)
		}
	case "Username":
		if u := t.o.byUsername[strings.ToLower(key)]; u != nil {
			rows = append(rows, u)
		}
	case "Email":
		for u := t.o.byEmail[strings.ToLower(key)]; u != nil; u = u.nextEmail {
			rows = append(rows, u)
		}
	case "FederationIdentifier":
		for u := t.o.byFed[strings.ToLower(key)]; u != nil; u = u.nextFed {
			rows = append(rows, u)
		}
	default:
		return nil, false
	}
	return rows, true
}

// sliceTable serves the small objects by scanning.
type sliceTable struct {
	rows []any
	id   func(any) string
}

func (t sliceTable) Len() int      { return len(t.rows) }
func (t sliceTable) Row(i int) any { return t.rows[i] }
func (t sliceTable) SeekID(id string, strict bool) int {
	return sort.Search(len(t.rows), func(i int) bool {
		c := foldCompare(t.id(t.rows[i]), id)
		return c > 0 || (!strict && c == 0)
	})
}
func (t sliceTable) Lookup(string, string) ([]any, bool) { return nil, false }

func newSliceTable[T any](items []T, id func(T) string) table {
	rows := make([]any, len(items))
	for i, it := range items {
		rows[i] = it
	}
	// The order SeekID searches in: case-insensitive, which only matters
	// for ids that are not all upper case (EntityDefinition's API names).
	sort.SliceStable(rows, func(i, j int) bool { return foldCompare(id(rows[i].(T)), id(rows[j].(T))) < 0 })
	return sliceTable{rows: rows, id: func(r any) string { return id(r.(T)) }}
}

// objects are the objects of SOQL's FROM, by lower-cased name.
var objects = map[string]*objectDef{}

func str[T any](name string, kind fieldKind, get func(T) string) *fieldDef {
	return &fieldDef{name: name, kind: kind, get: func(r any) value { return strValue(get(r.(T))) }}
}

func boolean[T any](name string, get func(T) bool) *fieldDef {
	return &fieldDef{name: name, kind: kindBool, get: func(r any) value { return boolValue(get(r.(T))) }}
}

func define(name string, tbl func(o *org) table, fields ...*fieldDef) *objectDef {
	d := &objectDef{name: name, fields: fields, byName: map[string]*fieldDef{}, rels: map[string]*relDef{}, table: tbl}
	for _, f := range fields {
		d.byName[strings.ToLower(f.name)] = f
	}
	objects[strings.ToLower(name)] = d
	return d
}

func init() {
	organization := define("Organization",
		func(o *org) table { return newSliceTable([]*org{o}, func(o *org) string { return o.id }) },
		str("Id", kindID, func(o *org) string { return o.id }),
		str("Name", kindString, func(o *org) string { return o.displayName }),
		str("InstanceName", kindString, func(o *org) string { return o.instanceName }),
		boolean("IsSandbox", func(o *org) bool { return o.isSandbox }),
		str("OrganizationType", kindString, func(o *org) string { return o.orgType }),
	)
	_ = organization

	profile := define("Profile",
		func(o *org) table { return newSliceTable(o.profiles, func(p *sfProfile) string { return p.ID }) },
		str("Id", kindID, func(p *sfProfile) string { return p.ID }),
		str("Name", kindString, func(p *sfProfile) string { return p.Name }),
	)

	user := define("User",
		func(o *org) table { return userTable{o} },
		str("Id", kindID, func(u *sfUser) string { return u.ID }),
		str("Username", kindString, func(u *sfUser) string { return u.Username }),
		str("Email", kindString, func(u *sfUser) string { return u.Email }),
		str("FederationIdentifier", kindString, func(u *sfUser) string { return u.FederationID }),
		str("Name", kindString, func(u *sfUser) string { return u.Name }),
		str("FirstName", kindString, func(u *sfUser) string { return u.FirstName }),
		str("LastName", kindString, func(u *sfUser) string { return u.LastName }),
		boolean("IsActive", func(u *sfUser) bool { return u.IsActive }),
		str("ProfileId", kindID, func(u *sfUser) string { return u.ProfileID }),
		str("UserType", kindString, func(*sfUser) string { return "Standard" }),
	)
	user.rels["profile"] = &relDef{name: "Profile", target: profile, get: func(o *org, r any) any {
		if p := o.profileByID(r.(*sfUser).ProfileID); p != nil {
			return p
		}
		return nil
	}}

	permSet := define("PermissionSet",
		func(o *org) table { return newSliceTable(o.permSets, func(p *sfPermissionSet) string { return p.ID }) },
		str("Id", kindID, func(p *sfPermissionSet) string { return p.ID }),
		str("Name", kindString, func(p *sfPermissionSet) string { return p.Name }),
		str("Label", kindString, func(p *sfPermissionSet) string { return p.Label }),
		boolean("IsOwnedByProfile", func(p *sfPermissionSet) bool { return p.IsOwnedByProfile }),
	)

	psa := define("PermissionSetAssignment",
		func(o *org) table {
			return newSliceTable(o.assignments, func(a *sfPermSetAssignment) string { return a.ID })
		},
		str("Id", kindID, func(a *sfPermSetAssignment) string { return a.ID }),
		str("AssigneeId", kindID, func(a *sfPermSetAssignment) string { return a.AssigneeID }),
		str("PermissionSetId", kindID, func(a *sfPermSetAssignment) string { return a.PermissionSetID }),
	)
	psa.rels["permissionset"] = &relDef{name: "PermissionSet", target: permSet, get: func(o *org, r any) any {
		if p := o.permSetByID(r.(*sfPermSetAssignment).PermissionSetID); p != nil {
			return p
		}
		return nil
	}}
	psa.rels["assignee"] = &relDef{name: "Assignee", target: user, get: func(o *org, r any) any {
		if u := o.userByID(r.(*sfPermSetAssignment).AssigneeID); u != nil {
			return u
		}
		return nil
	}}

	define("LoginIpRange",
		func(o *org) table { return newSliceTable(o.ipRanges, func(r *sfLoginIPRange) string { return r.ID }) },
		str("Id", kindID, func(r *sfLoginIPRange) string { return r.ID }),
		str("StartAddress", kindString, func(r *sfLoginIPRange) string { return r.StartAddress }),
		str("EndAddress", kindString, func(r *sfLoginIPRange) string { return r.EndAddress }),
		str("Description", kindString, func(r *sfLoginIPRange) string { return r.Description }),
	)

	defineIntegrationObjects(permSet)
}
