package activities

import (
	"context"
	"errors"
	"sort"
	"strings"

	"go.temporal.io/sdk/activity"

	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/store"
)

// MigrateInput moves a workspace into an Enterprise org.
type MigrateInput struct {
	Team       string `json:"team"`
	Enterprise string `json:"enterprise"`
}

// MigrateWorkspace asks Slack to move the workspace into the Enterprise org.
func (a *Activities) MigrateWorkspace(ctx context.Context, in MigrateInput) error {
	return a.classify("slack workspace migration", fromSlack, a.Slack.MigrateWorkspace(ctx, in.Team, in.Enterprise))
}

// ObjectsInput names an org and, for AddObjects, the object types to open
// to the integration user.
type ObjectsInput struct {
	OrgURL  string   `json:"org_url"`
	Objects []string `json:"objects,omitempty"`
}

// ObjectsResult is the integration user's permission set objects.
type ObjectsResult struct {
	Objects []string `json:"objects"`
	Added   []string `json:"added,omitempty"`
}

// ListObjects reads the object types the integration user's permission set
// opens, from the org.
func (a *Activities) ListObjects(ctx context.Context, in ObjectsInput) (ObjectsResult, error) {
	org, err := a.Salesforce.Org(in.OrgURL)
	if err != nil {
		return ObjectsResult{}, refuse(ErrInvalidInput, "%v", err)
	}
	_, objects, err := org.PermissionSetObjects(ctx)
	if err != nil {
		return ObjectsResult{}, a.classify("salesforce permission set of "+in.OrgURL, fromSalesforce, err)
	}
	sort.Strings(objects)
	return ObjectsResult{Objects: objects}, nil
}

// AddObjects opens more object types to the integration user. Every name is
// checked against the org's object types first: one unknown name refuses
// the whole request, and nothing is added.
func (a *Activities) AddObjects(ctx context.Context, in ObjectsInput) (ObjectsResult, error) {
	org, err := a.Salesforce.Org(in.OrgURL)
	if err != nil {
		return ObjectsResult{}, refuse(ErrInvalidInput, "%v", err)
	}
	types, err := org.ObjectTypes(ctx)
	if err != nil {
		return ObjectsResult{}, a.classify("salesforce object types of "+in.OrgURL, fromSalesforce, err)
	}
	known := map[string]string{}
	for _, t := range types {
		known[strings.ToLower(t)] = t
	}
	var canonical, unknown []string
	for _, o := range in.Objects {
		if t, ok := known[strings.ToLower(strings.TrimSpace(o))]; ok {
			canonical = append(canonical, t)
		} else {
			unknown = append(unknown, o)
		}
	}
	if len(unknown) > 0 {
		return ObjectsResult{}, refuse(ErrInvalidInput, "unknown object types in %s: %s (nothing added; the org's types include %s…)",
			in.OrgURL, strings.Join(unknown, ", "), strings.Join(types[:min(8, len(types))], ", "))
	}
	setID, _, err := org.PermissionSetObjects(ctx)
	if err != nil {
		return ObjectsResult{}, a.classify("salesforce permission set of "+in.OrgURL, fromSalesforce, err)
	}
	for _, t := range canonical {
		if err := org.AddObjectPermission(ctx, setID, t); err != nil {
			return ObjectsResult{}, a.classify("salesforce object permission "+t, fromSalesforce, err)
		}
		activity.RecordHeartbeat(ctx, t)
	}
	res, err := a.ListObjects(ctx, ObjectsInput{OrgURL: in.OrgURL})
	res.Added = canonical
	return res, err
}

// NotifyMembersInput tells a connection's mapped and invited members
// something in Slack.
type NotifyMembersInput struct {
	ConnectionID string `json:"connection_id"`
	Team         string `json:"team"`
	Text         string `json:"text"`
	// Link is a console path the message links to (NotifyInput.Link).
	Link     string `json:"link,omitempty"`
	LinkText string `json:"link_text,omitempty"`
}

// NotifyMembers posts a message to every linked and invited member of a
// connection. After a retry it resumes after the last member it reached
// (heartbeat details), so nobody is told twice.
func (a *Activities) NotifyMembers(ctx context.Context, in NotifyMembersInput) (int, error) {
	var after string
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &after)
	}
	n := 0
	var postErr error
	err := a.Store.ListMappings(ctx, in.ConnectionID, []store.MappingState{store.StateLinked, store.StateInvited}, func(m store.Mapping) error {
		if m.SlackUserID <= after {
			return nil
		}
		text, blocks := a.noticeMessage(NotifyInput{Text: in.Text, Link: in.Link, LinkText: in.LinkText})
		if _, postErr = a.Slack.PostBlocks(ctx, in.Team, m.SlackUserID, text, blocks...); postErr != nil {
			return postErr
		}
		n++
		activity.RecordHeartbeat(ctx, m.SlackUserID)
		return nil
	})
	if postErr != nil {
		return n, a.classify("slack chat.postMessage", fromSlack, postErr)
	}
	return n, err
}

// HealthInput names the org a connection talks to.
type HealthInput struct {
	OrgURL string `json:"org_url"`
	OrgID  string `json:"org_id"`
}

// HealthResult is what a health check found.
type HealthResult struct {
	// MovedTo is the org's new My Domain URL when it answered from another.
	MovedTo      string `json:"moved_to,omitempty"`
	IPRestricted bool   `json:"ip_restricted,omitempty"`
}

// CheckOrg asks the org whether it still answers at the connection's URL
// (a renamed My Domain answers from another) and whether IP restrictions
// are on.
func (a *Activities) CheckOrg(ctx context.Context, in HealthInput) (HealthResult, error) {
	org, err := a.Salesforce.Org(in.OrgURL)
	if err != nil {
		return HealthResult{}, refuse(ErrInvalidInput, "%v", err)
	}
	_, err = org.Health(ctx)
	var moved *salesforce.DomainMovedError
	switch {
	case errors.As(err, &moved):
		return HealthResult{MovedTo: moved.To}, nil
	case errors.Is(err, salesforce.ErrIPRestricted):
		return HealthResult{IPRestricted: true}, nil
	case err != nil:
		return HealthResult{}, a.classify("salesforce health of "+in.OrgURL, fromSalesforce, err)
	}
	restricted, err := org.IPRestricted(ctx)
	if err != nil && !errors.Is(err, salesforce.ErrIPRestricted) {
		return HealthResult{}, a.classify("salesforce IP restrictions of "+in.OrgURL, fromSalesforce, err)
	}
	return HealthResult{IPRestricted: restricted}, nil
}

// VerifyOrgURL checks that a new My Domain URL reaches the same org: the
// connection moves only to its own org.
func (a *Activities) VerifyOrgURL(ctx context.Context, in HealthInput) (OrgInfo, error) {
	info, err := a.ResolveOrg(ctx, ResolveOrgInput{URL: in.OrgURL})
	if err != nil {
		return info, err
	}
	if !sameOrgID(info.ID, in.OrgID) {
		return info, refuse(ErrInvalidInput, "%s is org %s, not this connection's org %s: give the new URL of the same org", info.URL, info.ID, in.OrgID)
	}
	return info, nil
}

// CreateWorkspaceInput is a workspace made from a Salesforce org, with its
// first member, the Salesforce user who made it, as primary owner.
type CreateWorkspaceInput struct {
	Name       string `json:"name"`
	Domain     string `json:"domain"`
	OwnerEmail string `json:"owner_email"`
	OwnerName  string `json:"owner_name"`
}

// CreatedWorkspace names the new workspace and its owner.
type CreatedWorkspace struct {
	Team  string `json:"team"`
	Owner string `json:"owner"`
}

// CreateSlackWorkspace creates the workspace, its owner's account and makes
// them its primary owner. Slack refuses a second workspace of the same
// domain, so the workflow does not retry this activity blindly.
func (a *Activities) CreateSlackWorkspace(ctx context.Context, in CreateWorkspaceInput) (CreatedWorkspace, error) {
	team, err := a.Slack.CreateWorkspace(ctx, in.Name, in.Domain)
	if err != nil {
		return CreatedWorkspace{}, a.classify("slack admin.teams.create", fromSlack, err)
	}
	m, err := a.Slack.CreateMember(ctx, team, in.OwnerEmail, in.OwnerName)
	if err != nil {
		return CreatedWorkspace{}, a.classify("slack: create the owner's account", fromSlack, err)
	}
	if err := a.Slack.SetPrimaryOwner(ctx, team, m.ID); err != nil {
		return CreatedWorkspace{}, a.classify("slack admin.users.setOwner", fromSlack, err)
	}
	return CreatedWorkspace{Team: team, Owner: m.ID}, nil
}
