package starter

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/orgurl"
	"github.com/sfconnect/sfconnect/workflows"
)

func (a *app) workspaceCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "workspace migrate|create",
		Short: "Workspaces: migrate one to an Enterprise org, or make one from Salesforce",
		Args:  cobra.ArbitraryArgs,
		RunE:  groupUsage,
	}
	var team, enterprise, as, name, org string
	migrate := &cobra.Command{
		Use:   "migrate --workspace T… --to-enterprise E… --as SLACK_USER",
		Short: "Move a workspace into an Enterprise org (refused while it has any pending or active Salesforce connection)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkTeam(team); err != nil {
				return err
			}
			c, err := a.sf()
			if err != nil {
				return err
			}
			who, err := a.slackCaller(team, as)
			if err != nil {
				return err
			}
			if err := c.StartWorkspace(cmd.Context(), team); err != nil {
				return err
			}
			var ws workflows.Workspace
			if err := c.Update(cmd.Context(), workflows.WorkspaceWorkflowID(team), workflows.UpdateMigrate, workflows.MigrateRequest{Enterprise: enterprise, Caller: who}, &ws); err != nil {
				return err
			}
			if a.output == "json" {
				return a.printJSON(ws)
			}
			fmt.Fprintf(a.env.Out, "Workspace %s migrated to %s. Org owners and org admins now manage its Salesforce connections.\n", team, enterprise)
			return nil
		},
	}
	migrate.Flags().StringVar(&team, "workspace", "", "Slack workspace (team) id, T…")
	migrate.Flags().StringVar(&enterprise, "to-enterprise", "", "the Enterprise org id, E…")
	asFlag(migrate, &as, "the Slack member id")
	requireFlags(migrate, "workspace", "to-enterprise")

	create := &cobra.Command{
		Use:   "create --name NAME --from-salesforce ORG --as SF_USER",
		Short: "Make a Slack workspace from a Salesforce org, born connected to it, with you as its owner",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			url, err := orgURLOf(org)
			if err != nil {
				return err
			}
			who, err := a.caller(identity.SideSalesforce, url, as)
			if err != nil {
				return err
			}
			c, err := a.temporal()
			if err != nil {
				return err
			}
			run, err := c.ExecuteWorkflow(cmd.Context(), client.StartWorkflowOptions{
				ID: workflows.CreateWorkspaceWorkflowID(url, name), TaskQueue: workflows.TaskQueue,
				WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
				StaticSummary:            fmt.Sprintf("Workspace %q made from %s", name, url),
			}, workflows.CreateWorkspaceWorkflowName, workflows.CreateWorkspaceInput{Name: name, OrgURL: url, Caller: who, Timing: a.env.Config.Timing, ReconcileEvery: a.env.Config.WorkspaceReconcile})
			if err != nil {
				return fmt.Errorf("create workspace %q: %w", name, err)
			}
			var made workflows.CreatedWorkspace
			if err := run.Get(cmd.Context(), &made); err != nil {
				return err
			}
			if a.output == "json" {
				return a.printJSON(made)
			}
			fmt.Fprintf(a.env.Out, "Workspace %s (%q) made from %s, with %s as its primary owner, connected (%s).\n",
				made.Team, name, url, made.Owner, made.Connection.State)
			return nil
		},
	}
	create.Flags().StringVar(&name, "name", "", "the new workspace's name")
	create.Flags().StringVar(&org, "from-salesforce", "", "the org: its My Domain URL or name (acme)")
	asFlag(create, &as, "the Salesforce user id or username (a system administrator of the org)")
	requireFlags(create, "name", "from-salesforce")
	cmd.AddCommand(migrate, create)
	return cmd
}

// orgURLOf turns ORG (a URL or a My Domain name) into its URL; an org id
// names no address, so it cannot be used to reach an org not yet connected.
func orgURLOf(org string) (string, error) {
	o := strings.ToLower(strings.TrimSpace(org))
	if model.IsOrgID(org) {
		return "", usagef("--from-salesforce needs the org's My Domain URL or name, not its id")
	}
	if model.IsMyDomainName(o) && !strings.Contains(o, "--") {
		o = "https://" + o + ".my.salesforce.com"
	}
	md, err := orgurl.Parse(o)
	if errors.Is(err, orgurl.ErrGovernmentCloud) {
		return "", err // a refusal of the org, not a usage error
	}
	if err != nil {
		return "", usagef("--from-salesforce: %v", err)
	}
	return md.URL(), nil
}
