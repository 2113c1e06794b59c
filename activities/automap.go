package activities

import (
	"context"
	"errors"
	"strings"
	"time"

	"go.temporal.io/sdk/activity"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/salesforce"
	"github.com/sfconnect/sfconnect/slackapi"
	"github.com/sfconnect/sfconnect/store"
)

// MapBatchInput is one batch of automatic mapping: the Slack members from
// Cursor on, up to Members of them.
type MapBatchInput struct {
	ConnectionID  string             `json:"connection_id"`
	Workspace     string             `json:"workspace"`
	OrgID         string             `json:"org_id"`
	OrgURL        string             `json:"org_url"`
	MappingField  model.MappingField `json:"mapping_field"`
	MatchingField string             `json:"matching_field"`
	Cursor        string             `json:"cursor"`
	Members       int                `json:"members"`
	// Key makes the batch's writes idempotent (the workflow's run and batch).
	Key string `json:"key"`
}

// MapCounts is what automatic mapping did with the members it saw.
type MapCounts struct {
	Scanned   int `json:"scanned"`   // members read from Slack
	Linked    int `json:"linked"`    // newly linked (or moved to their matching user)
	Unchanged int `json:"unchanged"` // already linked to their matching user
	Unmatched int `json:"unmatched"` // no Salesforce user has their key (or they have no key)
	Ambiguous int `json:"ambiguous"` // two or more active Salesforce users share their key
	Skipped   int `json:"skipped"`   // bots, deleted members, inactive Salesforce users, mappings made by hand or cleared
}

// Add accumulates counts.
func (c *MapCounts) Add(o MapCounts) {
	c.Scanned += o.Scanned
	c.Linked += o.Linked
	c.Unchanged += o.Unchanged
	c.Unmatched += o.Unmatched
	c.Ambiguous += o.Ambiguous
	c.Skipped += o.Skipped
}

// MapBatchResult is one batch's counts and where the next batch starts
// ("" when the directory is done).
type MapBatchResult struct {
	MapCounts
	Next string `json:"next"`
	// AmbiguousMembers names (a few of) the members left out for ambiguity,
	// for the report.
	AmbiguousMembers []string `json:"ambiguous_members,omitempty"`
}

// soqlInChunk bounds the keys of one SOQL IN clause, well under
// Salesforce's query length limit.
const soqlInChunk = 200

// slackPage is the users.list page size; Slack's maximum is 1000.
const slackPage = 1000

var errBatchFull = errors.New("batch full")

// MapBatch maps one batch of Slack members to Salesforce users by SPEC
// section 4's rules: the Step 1 field (email, case-insensitive, or SAML
// NameID) against the Step 2 Salesforce field; ambiguous keys are reported
// and not mapped, inactive users skipped. Mappings made by hand (manual,
// CSV, self) and mappings an admin cleared are left as they are. It also
// refreshes the workspace's member directory used by `members search`.
func (a *Activities) MapBatch(ctx context.Context, in MapBatchInput) (MapBatchResult, error) {
	var res MapBatchResult
	var members []slackapi.Member
	res.Next = in.Cursor
	err := a.Slack.ListMembersFrom(ctx, in.Workspace, in.Cursor, slackPage, func(page []slackapi.Member, next string) error {
		members = append(members, page...)
		res.Next = next
		activity.RecordHeartbeat(ctx, len(members))
		if len(members) >= in.Members {
			return errBatchFull
		}
		return nil
	})
	if err != nil && !errors.Is(err, errBatchFull) {
		return res, a.classify("slack users.list", fromSlack, err)
	}
	res.Scanned = len(members)
	a.Metrics.RowsProcessed("automap", len(members))
	if err := a.Store.UpsertMembers(ctx, in.Workspace, directoryMembers(members)); err != nil {
		return res, err
	}

	keyOf := func(m slackapi.Member) string {
		if in.MappingField == model.MappingSAMLNameID {
			return m.SAMLNameID
		}
		return strings.ToLower(m.Email)
	}
	candidates := make([]slackapi.Member, 0, len(members))
	keys := make([]string, 0, len(members))
	for _, m := range members {
		switch {
		case m.Deleted || m.IsBot:
			res.Skipped++
		case keyOf(m) == "":
			res.Unmatched++
		default:
			candidates = append(candidates, m)
			keys = append(keys, keyOf(m))
		}
	}
	users, err := a.salesforceUsersByKey(ctx, in, keys)
	if err != nil {
		return res, err
	}
	ids := make([]string, len(candidates))
	for i, m := range candidates {
		ids[i] = m.ID
	}
	existing, err := a.Store.GetMappings(ctx, in.ConnectionID, ids)
	if err != nil {
		return res, err
	}

	now := time.Now().UTC()
	var writes []store.Mapping
	for _, m := range candidates {
		matched := users[keyOf(m)]
		active := matched[:0:0]
		for _, u := range matched {
			if u.IsActive {
				active = append(active, u)
			}
		}
		switch {
		case len(matched) == 0:
			res.Unmatched++
			continue
		case len(active) == 0:
			res.Skipped++ // inactive Salesforce users are skipped
			continue
		case len(active) > 1:
			res.Ambiguous++
			if len(res.AmbiguousMembers) < 20 {
				res.AmbiguousMembers = append(res.AmbiguousMembers, m.ID)
			}
			continue
		}
		u := active[0]
		if cur, ok := existing[m.ID]; ok {
			if cur.State == store.StateLinked && cur.SalesforceUserID == u.Id {
				res.Unchanged++
				continue
			}
			if cur.Source != store.SourceAuto || cur.State == store.StateCleared {
				res.Skipped++ // a person decided this one
				continue
			}
		}
		writes = append(writes, store.Mapping{
			ConnectionID: in.ConnectionID, Workspace: in.Workspace, OrgID: in.OrgID,
			SlackUserID: m.ID, SlackEmail: m.Email, SlackNameID: m.SAMLNameID, SlackName: displayName(m),
			SalesforceUserID: u.Id, SalesforceUsername: u.Username, SalesforceEmail: u.Email,
			State: store.StateLinked, Source: store.SourceAuto, UpdatedAt: now, UpdatedBy: "automap",
		})
	}
	applied, err := a.Store.ApplyMappings(ctx, in.Key, writes)
	if err != nil {
		return res, err
	}
	res.Linked += applied.Inserted + applied.Updated
	res.Unchanged += applied.Unchanged
	return res, nil
}

// salesforceUsersByKey finds the org's users whose matching field has one
// of keys, grouped by key (lower-cased for emails and usernames).
func (a *Activities) salesforceUsersByKey(ctx context.Context, in MapBatchInput, keys []string) (map[string][]salesforce.User, error) {
	org, err := a.Salesforce.Org(in.OrgURL)
	if err != nil {
		return nil, refuse(ErrInvalidInput, "%v", err)
	}
	field := in.MatchingField
	if field == "" {
		field = string(model.MatchEmail)
	}
	// Emails and usernames compare case-insensitively; Federation IDs as
	// they are; user ids by their case-sensitive 15-character form.
	fold := field != string(model.MatchFederationIdentifier) && field != "Id"
	// Only the fields a match reads: a bulk job asks for a million users,
	// and every field more is encoded by Salesforce and decoded here.
	fields := "Id, Username, Email, IsActive"
	if field == string(model.MatchFederationIdentifier) {
		fields += ", FederationIdentifier"
	}
	out := make(map[string][]salesforce.User, len(keys))
	for start := 0; start < len(keys); start += soqlInChunk {
		chunk := keys[start:min(start+soqlInChunk, len(keys))]
		quoted := make([]string, len(chunk))
		for i, k := range chunk {
			quoted[i] = salesforce.Quote(k)
		}
		soql := "SELECT " + fields + " FROM User WHERE " + field + " IN (" + strings.Join(quoted, ", ") + ")"
		err := salesforce.QueryEach(ctx, org, soql, 2000, func(users []salesforce.User) error {
			for _, u := range users {
				k := matchValue(u, field)
				if fold {
					k = strings.ToLower(k)
				}
				if field == "Id" {
					k = shortID(k)
				}
				out[k] = append(out[k], u)
			}
			return nil
		})
		if err != nil {
			return nil, a.classify("salesforce users of "+in.OrgURL, fromSalesforce, err)
		}
		activity.RecordHeartbeat(ctx, start)
	}
	return out, nil
}

// shortID is a Salesforce id's case-sensitive 15-character form.
func shortID(id string) string {
	if len(id) >= 15 {
		return id[:15]
	}
	return id
}

func matchValue(u salesforce.User, field string) string {
	switch field {
	case "Id":
		return u.Id
	case string(model.MatchFederationIdentifier):
		return u.FederationIdentifier
	case string(model.MatchUsername):
		return u.Username
	}
	return u.Email
}

func displayName(m slackapi.Member) string {
	if m.RealName != "" {
		return m.RealName
	}
	if m.DisplayName != "" {
		return m.DisplayName
	}
	return m.Name
}

func directoryMembers(ms []slackapi.Member) []store.Member {
	out := make([]store.Member, 0, len(ms))
	for _, m := range ms {
		if m.IsBot {
			continue
		}
		out = append(out, store.Member{
			UserID: m.ID, Name: m.Name, RealName: displayName(m), Email: m.Email, SAMLNameID: m.SAMLNameID, Deleted: m.Deleted,
		})
	}
	return out
}
