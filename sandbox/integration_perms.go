package sandbox

import (
	"fmt"
	"strings"
)

// The integration user's permission set and the org's object types (SPEC
// rule 6: the permission set can be given more object types). Every org has
// the permission set SlackIntegration, assigned to its integration user,
// whose ObjectPermissions grant read access to a few standard objects;
// EntityDefinition lists the object types the org has, the ones a
// permission can be added for.

const (
	// IntegrationPermSetName is the API name of the permission set every
	// org's integration user holds.
	IntegrationPermSetName = "SlackIntegration"
	// IntegrationPermSetID is its id (the same in every org, like the
	// profile ids: nothing compares them across orgs).
	IntegrationPermSetID = "0PS000000000002AAA"

	// createdObjectPermBase numbers the ObjectPermissions created through
	// the API: "1109…" ids cannot collide with the demo ones ("1100…").
	createdObjectPermBase = 900_000_000_000
)

// sfObjectPermission is one ObjectPermissions record: what a permission set
// grants on one object type.
type sfObjectPermission struct {
	ID, ParentID, SobjectType string
	Read, Create, Edit        bool
}

// sfEntity is one EntityDefinition record. DurableID is the record's id:
// the API name for a standard object, an 01I… id for a custom one, as on
// Salesforce.
type sfEntity struct {
	DurableID, QualifiedAPIName, Label string
	IsCustomizable                     bool
}

// defaultIntegrationObjects are the object types SlackIntegration grants
// read access to in a new org.
var defaultIntegrationObjects = []string{"Account", "Case", "Contact", "Lead", "Opportunity"}

// standardEntities are the standard object types of every org. The records
// are shared between orgs: they are never modified.
var standardEntities = func() []*sfEntity {
	var out []*sfEntity
	for _, e := range []struct {
		name, label  string
		customizable bool
	}{
		{"Account", "Account", true}, {"Asset", "Asset", true}, {"Campaign", "Campaign", true},
		{"Case", "Case", true}, {"Contact", "Contact", true}, {"Contract", "Contract", true},
		{"Event", "Event", true}, {"Lead", "Lead", true}, {"Opportunity", "Opportunity", true},
		{"Order", "Order", true}, {"Pricebook2", "Price Book", true}, {"Product2", "Product", true},
		{"Quote", "Quote", true}, {"Solution", "Solution", true}, {"Task", "Task", true},
		{"User", "User", true},
		// Setup objects: listed, but no permission set can grant them.
		{"ApexClass", "Apex Class", false}, {"AsyncApexJob", "Apex Job", false},
	} {
		out = append(out, &sfEntity{DurableID: e.name, QualifiedAPIName: e.name, Label: e.label, IsCustomizable: e.customizable})
	}
	return out
}()

// demoCustomObjects are each demo org's custom object types (API name,
// label); the orgNN orgs, absent here, share defaultCustomObjects.
var demoCustomObjects = map[string][][2]string{
	"acme":      {{"Invoice__c", "Invoice"}, {"Shipment__c", "Shipment"}},
	"acme--uat": {{"Invoice__c", "Invoice"}, {"Release__c", "Release"}},
	"agency":    {{"Grant__c", "Grant"}, {"Case_Note__c", "Case Note"}},
	"fedsales":  {{"Contract_Vehicle__c", "Contract Vehicle"}, {"Bid__c", "Bid"}},
	"locked":    {{"Badge__c", "Badge"}, {"Visitor__c", "Visitor"}},
}

var defaultCustomObjects = [][2]string{{"Project__c", "Project"}, {"Timesheet__c", "Timesheet"}}

// integrationSetup gives a new org its object types, assigns
// SlackIntegration to its integration user and grants the default objects.
// It runs before the org is published.
func (b *demoBuilder) integrationSetup(o *org) {
	customs, ok := demoCustomObjects[o.name]
	if !ok {
		customs = defaultCustomObjects
	}
	o.entities = append(o.entities, standardEntities...)
	for _, c := range customs {
		b.entitySeq++
		o.entities = append(o.entities, &sfEntity{
			DurableID: fmt.Sprintf("01I%012dAAA", b.entitySeq), QualifiedAPIName: c[0], Label: c[1], IsCustomizable: true,
		})
	}
	b.assignmentSeq++
	o.assignments = append(o.assignments, &sfPermSetAssignment{
		ID: fmt.Sprintf("0Pa%012dAAA", b.assignmentSeq), AssigneeID: o.integration.ID, PermissionSetID: IntegrationPermSetID,
	})
	for _, typ := range defaultIntegrationObjects {
		b.objectPermSeq++
		o.objectPerms = append(o.objectPerms, &sfObjectPermission{
			ID: fmt.Sprintf("110%012dAAA", b.objectPermSeq), ParentID: IntegrationPermSetID, SobjectType: typ, Read: true,
		})
	}
}

// entity finds an object type by API name, case-insensitively as
// Salesforce does. Sandbox.mu must be held.
func (o *org) entity(name string) *sfEntity {
	for _, e := range o.entities {
		if strings.EqualFold(e.QualifiedAPIName, name) {
			return e
		}
	}
	return nil
}

// permSetByRef finds a permission set by an 18-character id (any case) or a
// 15-character one (case-sensitive), the two forms Salesforce accepts.
func (o *org) permSetByRef(id string) *sfPermissionSet {
	for _, p := range o.permSets {
		if len(id) == 18 && strings.EqualFold(p.ID, id) || len(id) == 15 && p.ID[:15] == id {
			return p
		}
	}
	return nil
}

// objectPermInput is an ObjectPermissions record to create.
type objectPermInput struct {
	ParentID, SobjectType string
	Read, Create, Edit    bool
}

// addObjectPermission creates an ObjectPermissions record with Salesforce's
// checks, and returns its id or the refusal (errorCode, message).
func (s *Sandbox) addObjectPermission(o *org, in objectPermInput) (id, code, msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := o.permSetByRef(in.ParentID)
	if ps == nil {
		return "", "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id: " + in.ParentID
	}
	e := o.entity(in.SobjectType)
	switch {
	case e == nil:
		return "", "FIELD_INTEGRITY_EXCEPTION", fmt.Sprintf("Invalid SobjectType: %s is not an object type of this org", in.SobjectType)
	case !e.IsCustomizable:
		return "", "FIELD_INTEGRITY_EXCEPTION", fmt.Sprintf("Object permissions cannot be granted on %s", e.QualifiedAPIName)
	case !in.Read && (in.Create || in.Edit):
		return "", "FIELD_INTEGRITY_EXCEPTION", fmt.Sprintf("Permission Create or Edit %[1]s depends on permission(s): Read %[1]s", e.QualifiedAPIName)
	}
	for _, p := range o.objectPerms {
		if p.ParentID == ps.ID && strings.EqualFold(p.SobjectType, e.QualifiedAPIName) {
			return "", "DUPLICATE_VALUE", "duplicate value found: <unknown> duplicates value on record with id: " + p.ID
		}
	}
	id = fmt.Sprintf("110%012dAAA", createdObjectPermBase+s.objectPermSeq.Add(1))
	// A new slice: a query's table may still hold the old one.
	perms := make([]*sfObjectPermission, len(o.objectPerms), len(o.objectPerms)+1)
	copy(perms, o.objectPerms)
	o.objectPerms = append(perms, &sfObjectPermission{
		ID: id, ParentID: ps.ID, SobjectType: e.QualifiedAPIName, Read: in.Read, Create: in.Create, Edit: in.Edit,
	})
	return id, "", ""
}

// defineIntegrationObjects describes ObjectPermissions (with its Parent, the
// permission set) and EntityDefinition for SOQL; schema.go's init calls it.
func defineIntegrationObjects(permSet *objectDef) {
	op := define("ObjectPermissions",
		func(o *org) table {
			return newSliceTable(o.objectPerms, func(p *sfObjectPermission) string { return p.ID })
		},
		str("Id", kindID, func(p *sfObjectPermission) string { return p.ID }),
		str("ParentId", kindID, func(p *sfObjectPermission) string { return p.ParentID }),
		str("SobjectType", kindString, func(p *sfObjectPermission) string { return p.SobjectType }),
		boolean("PermissionsRead", func(p *sfObjectPermission) bool { return p.Read }),
		boolean("PermissionsCreate", func(p *sfObjectPermission) bool { return p.Create }),
		boolean("PermissionsEdit", func(p *sfObjectPermission) bool { return p.Edit }),
	)
	op.rels["parent"] = &relDef{name: "Parent", target: permSet, get: func(o *org, r any) any {
		if p := o.permSetByID(r.(*sfObjectPermission).ParentID); p != nil {
			return p
		}
		return nil
	}}

	define("EntityDefinition",
		func(o *org) table { return newSliceTable(o.entities, func(e *sfEntity) string { return e.DurableID }) },
		str("Id", kindID, func(e *sfEntity) string { return e.DurableID }),
		str("DurableId", kindString, func(e *sfEntity) string { return e.DurableID }),
		str("QualifiedApiName", kindString, func(e *sfEntity) string { return e.QualifiedAPIName }),
		str("Label", kindString, func(e *sfEntity) string { return e.Label }),
		boolean("IsCustomizable", func(e *sfEntity) bool { return e.IsCustomizable }),
	)
}
