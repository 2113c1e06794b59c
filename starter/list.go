package starter

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

// listRow is one connection as visibility knows it.
type listRow struct {
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

// list reads connections from Temporal's visibility, newest first.
func (a *app) list(ctx context.Context, team string, state model.State) ([]listRow, error) {
	c, err := a.temporal()
	if err != nil {
		return nil, err
	}
	clauses := []string{fmt.Sprintf("WorkflowType = '%s'", workflows.ConnectionWorkflowName)}
	if team != "" {
		clauses = append(clauses, fmt.Sprintf("%s = '%s'", workflows.WorkspaceKey.GetName(), team))
	}
	if state != "" {
		clauses = append(clauses, fmt.Sprintf("%s = '%s'", workflows.StateKey.GetName(), state))
	}
	query := strings.Join(clauses, " AND ")
	var rows []listRow
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, PageSize: 500, NextPageToken: token})
		if err != nil {
			return nil, fmt.Errorf("list connections (%s): %w", query, err)
		}
		for _, e := range resp.Executions {
			sa := e.GetSearchAttributes()
			row := listRow{
				Workspace:  keyword(sa, workflows.WorkspaceKey.GetName()),
				OrgID:      keyword(sa, workflows.OrgKey.GetName()),
				OrgName:    keyword(sa, workflows.OrgNameKey.GetName()),
				State:      model.State(keyword(sa, workflows.StateKey.GetName())),
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

// keyword decodes one keyword search attribute of a visibility record.
func keyword(sa *commonpb.SearchAttributes, name string) string {
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
