package starter

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/orgurl"
	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/workflows"
)

// orgRef is the --workspace and --org pair that names a connection. ORG is
// the org id, its My Domain URL or its My Domain name (SPEC section 9).
type orgRef struct{ team, org string }

func (r *orgRef) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&r.team, "workspace", "", "Slack workspace (team) id, T…")
	cmd.Flags().StringVar(&r.org, "org", "", "the org: its id (00D…), My Domain URL or My Domain name (acme)")
	requireFlags(cmd, "workspace", "org")
}

var ()

// resolveOrg finds the org id of ORG: directly for an id; otherwise from the
// workspace's registry of live connections, then from visibility for ended
// ones.
func (a *app) resolveOrg(ctx context.Context, ref orgRef) (string, error) {
	if id, ok := a.orgIDs[ref]; ok {
		return id, nil
	}
	id, err := a.lookUpOrg(ctx, ref)
	if err == nil {
		if a.orgIDs == nil {
			a.orgIDs = map[orgRef]string{}
		}
		a.orgIDs[ref] = id
	}
	return id, err
}

func (a *app) lookUpOrg(ctx context.Context, ref orgRef) (string, error) {
	if err := checkTeam(ref.team); err != nil {
		return "", err
	}
	if model.IsOrgID(ref.org) {
		return ref.org, nil
	}
	name := strings.ToLower(strings.TrimSpace(ref.org))
	if strings.ContainsAny(name, "./:") {
		md, err := orgurl.Parse(ref.org)
		if err != nil {
			return "", usagef("--org: %v", err)
		}
		name = md.Name
	}
	if !model.IsMyDomainName(name) {
		return "", usagef("--org %q is not an org id (00D…), a My Domain URL or a My Domain name (letters, digits, hyphens)", ref.org)
	}
	c, err := a.temporal()
	if err != nil {
		return "", err
	}
	if v, err := c.QueryWorkflow(ctx, workflows.WorkspaceWorkflowID(ref.team), "", workflows.QueryConnections); err == nil {
		var ws workflows.Workspace
		if err := v.Get(&ws); err == nil {
			for id, conn := range ws.Connections {
				if conn.OrgName == name {
					return id, nil
				}
			}
		}
	}
	resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
		Query:    fmt.Sprintf("WorkflowType = '%s' AND %s = '%s' AND %s = '%s'", workflows.ConnectionWorkflowName, workflows.WorkspaceKey.GetName(), ref.team, workflows.OrgNameKey.GetName(), name),
		PageSize: 1,
	})
	if err != nil {
		return "", fmt.Errorf("look up org %s: %w", ref.org, err)
	}
	for _, e := range resp.Executions {
		if id := sfclient.Keyword(e.GetSearchAttributes(), workflows.OrgKey.GetName()); id != "" {
			return id, nil
		}
	}
	return "", fmt.Errorf("workspace %s has no connection to %s: see `starter connect list --workspace %s`, or request one with `starter connect request`", ref.team, ref.org, ref.team)
}
