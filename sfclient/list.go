package sfclient

import (
	"context"
	"fmt"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

// ConnectionRow is one connection as Temporal's visibility knows it.
type ConnectionRow struct {
	Workspace string      `json:"workspace"`
	OrgID     string      `json:"org_id"`
	OrgName   string      `json:"org_name"`
	State     model.State `json:"state"`
	Version   int         `json:"version"`
	// UpdateAvailable: a live connection older than the newest version.
	UpdateAvailable bool       `json:"update_available,omitempty"`
	Started         time.Time  `json:"started"`
	Closed          *time.Time `json:"closed,omitempty"`
	WorkflowID      string     `json:"workflow_id"`
	RunID           string     `json:"run_id"`
}

// Filter narrows List; empty fields match everything.
type Filter struct {
	Team  string
	OrgID string
	State model.State
	// Running keeps only the connections whose workflow runs.
	Running bool
}

// query is the visibility query of f. Its values are ids and state names
// the callers have checked; quotes are refused all the same, so that no
// value can change the query's meaning.
func (f Filter) query() (string, error) {
	clauses := []string{fmt.Sprintf("WorkflowType = '%s'", workflows.ConnectionWorkflowName)}
	for _, kv := range []struct{ key, value string }{
		{workflows.WorkspaceKey.GetName(), f.Team},
		{workflows.OrgKey.GetName(), f.OrgID},
		{workflows.StateKey.GetName(), string(f.State)},
	} {
		if kv.value == "" {
			continue
		}
		if strings.ContainsAny(kv.value, `'"\`) {
			return "", fmt.Errorf("%s %q: not an id", kv.key, kv.value)
		}
		clauses = append(clauses, fmt.Sprintf("%s = '%s'", kv.key, kv.value))
	}
	if f.Running {
		clauses = append(clauses, "ExecutionStatus = 'Running'")
	}
	return strings.Join(clauses, " AND "), nil
}

// List reads connections from Temporal's visibility, newest first.
func (c *Client) List(ctx context.Context, f Filter) ([]ConnectionRow, error) {
	query, err := f.query()
	if err != nil {
		return nil, err
	}
	var rows []ConnectionRow
	var token []byte
	for {
		resp, err := c.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: 500, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("list connections (%s): %w", query, err)
		}
		for _, e := range resp.Executions {
			sa := e.GetSearchAttributes()
			row := ConnectionRow{
				Workspace:  Keyword(sa, workflows.WorkspaceKey.GetName()),
				OrgID:      Keyword(sa, workflows.OrgKey.GetName()),
				OrgName:    Keyword(sa, workflows.OrgNameKey.GetName()),
				State:      model.State(Keyword(sa, workflows.StateKey.GetName())),
				Started:    e.GetStartTime().AsTime(),
				WorkflowID: e.GetExecution().GetWorkflowId(),
				RunID:      e.GetExecution().GetRunId(),
			}
			row.Version = version(sa)
			row.UpdateAvailable = row.Version < workflows.CurrentConnectionVersion && !row.State.Terminal()
			if e.GetCloseTime() != nil {
				t := e.GetCloseTime().AsTime()
				row.Closed = &t
			}
			rows = append(rows, row)
		}
		token = resp.NextPageToken
		if len(token) == 0 {
			return rows, nil
		}
	}
}

// version decodes the SfVersion search attribute; connections made before
// it existed are version 1.
func version(sa *commonpb.SearchAttributes) int {
	p, ok := sa.GetIndexedFields()[workflows.VersionKey.GetName()]
	if !ok {
		return 1
	}
	var v int64
	if err := converter.GetDefaultDataConverter().FromPayload(p, &v); err != nil || v == 0 {
		return 1
	}
	return int(v)
}

// Keyword decodes one keyword search attribute of a visibility record.
func Keyword(sa *commonpb.SearchAttributes, name string) string {
	p, ok := sa.GetIndexedFields()[name]
	if !ok {
		return ""
	}
	var s string
	if err := converter.GetDefaultDataConverter().FromPayload(p, &s); err != nil {
		return ""
	}
	return s
}
