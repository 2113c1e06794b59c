package starter

import (
	"github.com/spf13/cobra"

	"github.com/sfconnect/sfconnect/model"
	"github.com/sfconnect/sfconnect/workflows"
)

func (a *app) connectCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "connect",
		Short: "The connection between a Slack workspace and a Salesforce org: request, approve, activate, status, disconnect",
		Args:  cobra.ArbitraryArgs,
		RunE:  groupUsage,
	}
	cmd.AddCommand(a.requestCommand(), a.approveCommand(), a.rejectCommand(), a.activateCommand(),
		a.statusCommand(), a.listCommand(), a.disconnectCommand(), a.updateCommand(), a.bannerCommand(), a.objectsCommand())
	return cmd
}

func (a *app) requestCommand() *cobra.Command {
	var team, orgURL, field, as string
	var noAutoMap bool
	cmd := &cobra.Command{
		Use:   "request --workspace T… --org-url URL [--mapping-field email|saml_nameid] [--no-auto-map] --as SLACK_USER",
		Short: "Step 1: request a connection to a Salesforce org (by a workspace owner or admin)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkTeam(team); err != nil {
				return err
			}
			if _, err := model.ParseMappingField(field); err != nil {
				return usagef("--mapping-field: %v", err)
			}
			who, err := a.slackCaller(team, as)
			if err != nil {
				return err
			}
			autoMap := !noAutoMap
			c, err := a.request(cmd.Context(), team, workflows.ConnectionRequest{
				OrgURL: orgURL, MappingField: field, AutoMap: &autoMap, Caller: who,
			})
			if err != nil {
				return err
			}
			return a.printConnection(c, "Requested. A Salesforce system administrator of "+c.OrgName+" must now approve (Step 2):\n  starter connect approve --workspace "+c.Workspace+" --org "+c.OrgName+" --matching-field Email --accept-terms --as SF_ADMIN")
		},
	}
	cmd.Flags().StringVar(&team, "workspace", "", "Slack workspace (team) id, T…")
	cmd.Flags().StringVar(&orgURL, "org-url", "", "the org's My Domain URL, e.g. https://acme.my.salesforce.com")
	cmd.Flags().StringVar(&field, "mapping-field", "email", "Slack field that maps members' accounts: email or saml_nameid")
	cmd.Flags().BoolVar(&noAutoMap, "no-auto-map", false, "map members' accounts manually instead of automatically")
	asFlag(cmd, &as, "the Slack member id making the request")
	requireFlags(cmd, "workspace", "org-url")
	return cmd
}

func (a *app) approveCommand() *cobra.Command {
	var ref orgRef
	var field, as string
	var accept bool
	cmd := &cobra.Command{
		Use:   "approve --workspace T… --org ORG --matching-field Email|FederationIdentifier|Username --accept-terms --as SF_USER",
		Short: "Step 2: approve a pending request (by a Salesforce system administrator of the org)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := model.ParseMatchingField(field); err != nil {
				return usagef("--matching-field: %v", err)
			}
			who, err := a.salesforceCaller(cmd.Context(), ref, as)
			if err != nil {
				return err
			}
			c, err := a.step(cmd.Context(), ref, workflows.UpdateApprove, workflows.ApproveRequest{
				MatchingField: field, AcceptTerms: accept, Caller: who,
			})
			if err != nil {
				return err
			}
			return a.printConnection(c, "Approved. A workspace owner (or holder of the Salesforce system administrator role) must now activate (Step 3):\n  starter connect activate --workspace "+c.Workspace+" --org "+c.OrgName+" --as SLACK_OWNER")
		},
	}
	ref.flags(cmd)
	cmd.Flags().StringVar(&field, "matching-field", "", "Salesforce field matched to Slack accounts: Email, FederationIdentifier or Username")
	cmd.Flags().BoolVar(&accept, "accept-terms", false, "accept the terms of use (required to approve)")
	asFlag(cmd, &as, "the Salesforce user id or username approving")
	requireFlags(cmd, "matching-field")
	return cmd
}

func (a *app) rejectCommand() *cobra.Command {
	var ref orgRef
	var reason, as string
	cmd := &cobra.Command{
		Use:   "reject --workspace T… --org ORG [--reason TEXT] --as SF_USER",
		Short: "Reject a pending request (by a Salesforce system administrator of the org)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			who, err := a.salesforceCaller(cmd.Context(), ref, as)
			if err != nil {
				return err
			}
			c, err := a.step(cmd.Context(), ref, workflows.UpdateReject, workflows.RejectRequest{Reason: reason, Caller: who})
			if err != nil {
				return err
			}
			return a.printConnection(c, "Rejected.")
		},
	}
	ref.flags(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why, for the requester")
	asFlag(cmd, &as, "the Salesforce user id or username rejecting")
	return cmd
}

func (a *app) activateCommand() *cobra.Command {
	var ref orgRef
	var as string
	cmd := &cobra.Command{
		Use:   "activate --workspace T… --org ORG --as SLACK_USER",
		Short: "Step 3: review and activate an approved connection (by a workspace owner or holder of the Salesforce system administrator role)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			who, err := a.slackCaller(ref.team, as)
			if err != nil {
				return err
			}
			c, err := a.step(cmd.Context(), ref, workflows.UpdateActivate, workflows.ActivateRequest{Caller: who})
			if err != nil {
				return err
			}
			return a.printConnection(c, "Active.")
		},
	}
	ref.flags(cmd)
	asFlag(cmd, &as, "the Slack member id activating")
	return cmd
}

func (a *app) disconnectCommand() *cobra.Command {
	var ref orgRef
	var as string
	var yes bool
	cmd := &cobra.Command{
		Use:   "disconnect --workspace T… --org ORG --as SLACK_USER [--yes]",
		Short: "Disconnect a Salesforce org from the workspace (or withdraw a pending request)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			who, err := a.slackCaller(ref.team, as)
			if err != nil {
				return err
			}
			if !yes {
				if err := a.confirmDisconnect(cmd.Context(), ref); err != nil {
					return err
				}
			}
			c, err := a.step(cmd.Context(), ref, workflows.UpdateDisconnect, workflows.DisconnectRequest{Caller: who})
			if err != nil {
				return err
			}
			return a.printConnection(c, "Disconnected.")
		},
	}
	ref.flags(cmd)
	asFlag(cmd, &as, "the Slack member id disconnecting")
	cmd.Flags().BoolVar(&yes, "yes", false, "do not ask for confirmation")
	return cmd
}

func (a *app) statusCommand() *cobra.Command {
	var ref orgRef
	cmd := &cobra.Command{
		Use:   "status --workspace T… --org ORG",
		Short: "Show a connection: its settings, state, what it waits for, and who did what and when",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.status(cmd.Context(), ref)
			if err != nil {
				return err
			}
			return a.printConnection(c, "")
		},
	}
	ref.flags(cmd)
	return cmd
}

func (a *app) listCommand() *cobra.Command {
	var team, state string
	cmd := &cobra.Command{
		Use:   "list [--workspace T…] [--state STATE]",
		Short: "List connections (from Temporal's visibility), optionally of one workspace or in one state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if team != "" {
				if err := checkTeam(team); err != nil {
					return err
				}
			}
			if state != "" && !model.State(state).Valid() {
				return usagef("--state %q is not a state; use one of %v", state, model.States)
			}
			rows, err := a.list(cmd.Context(), team, model.State(state))
			if err != nil {
				return err
			}
			return a.printList(rows)
		},
	}
	cmd.Flags().StringVar(&team, "workspace", "", "only this workspace (T…)")
	cmd.Flags().StringVar(&state, "state", "", "only connections in this state")
	return cmd
}

// groupUsage answers a command group called without a known subcommand:
// a usage error (exit 2) that points to the help.
func groupUsage(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unknown command %q for %q: see `%s --help`", args[0], cmd.CommandPath(), cmd.CommandPath())
	}
	return usagef("%s needs a subcommand: see `%s --help`", cmd.CommandPath(), cmd.CommandPath())
}

func requireFlags(cmd *cobra.Command, names ...string) {
	for _, n := range names {
		_ = cmd.MarkFlagRequired(n)
	}
}
