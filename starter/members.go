package starter

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/workflows"
)

func (a *app) membersCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "members",
		Short: "Map members' Slack and Salesforce accounts: automatically, one by one, search, clear, export",
		Args:  cobra.ArbitraryArgs,
		RunE:  groupUsage,
	}
	cmd.AddCommand(a.membersAutoMapCommand(), a.membersAddCommand(), a.membersSignInCommand(),
		a.membersClearCommand(), a.membersSearchCommand(), a.membersExportCommand(), a.membersImportCommand())
	return cmd
}

func (a *app) membersAddCommand() *cobra.Command {
	var ref orgRef
	var member, sfUser, as string
	cmd := &cobra.Command{
		Use:   "add --workspace T… --org ORG --member U… [--salesforce-user ID|USERNAME] --as SLACK_USER",
		Short: "Add a member individually: they are invited to sign in to Salesforce, and linked when they do",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			who, err := a.slackCaller(ref.team, as)
			if err != nil {
				return err
			}
			var m activities.MemberMapping
			if err := a.connectionUpdate(cmd.Context(), ref, workflows.UpdateAddMember, workflows.AddMemberRequest{
				Member: member, SalesforceUser: sfUser, Caller: who,
			}, &m); err != nil {
				return err
			}
			return a.printMappings([]activities.MemberMapping{m}, fmt.Sprintf(
				"Invited. %s must now sign in to Salesforce:\n  starter members signin --workspace %s --org %s --member %s --salesforce-user USERNAME",
				member, ref.team, ref.org, member))
		},
	}
	ref.flags(cmd)
	cmd.Flags().StringVar(&member, "member", "", "the Slack member id to add (U…)")
	cmd.Flags().StringVar(&sfUser, "salesforce-user", "", "the Salesforce user (id or username) they must sign in as (optional)")
	asFlag(cmd, &as, "the Slack member id adding them")
	requireFlags(cmd, "member")
	return cmd
}

func (a *app) membersClearCommand() *cobra.Command {
	var ref orgRef
	var member, as string
	cmd := &cobra.Command{
		Use:   "clear --workspace T… --org ORG --member U… --as SF_USER",
		Short: "Clear a member's mapping (by a Salesforce system administrator); they may map again",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			who, err := a.salesforceCaller(cmd.Context(), ref, as)
			if err != nil {
				return err
			}
			var m activities.MemberMapping
			if err := a.connectionUpdate(cmd.Context(), ref, workflows.UpdateClearMember, workflows.ClearMemberRequest{Member: member, Caller: who}, &m); err != nil {
				return err
			}
			return a.printMappings([]activities.MemberMapping{m}, "Cleared.")
		},
	}
	ref.flags(cmd)
	cmd.Flags().StringVar(&member, "member", "", "the Slack member id (U…)")
	asFlag(cmd, &as, "the Salesforce user id or username clearing it")
	requireFlags(cmd, "member")
	return cmd
}

func (a *app) membersSearchCommand() *cobra.Command {
	var ref orgRef
	var as string
	var limit int
	cmd := &cobra.Command{
		Use:   "search QUERY --workspace T… --org ORG --as SLACK_USER|SF_USER",
		Short: "Find members by name, email or id (prefix, case-insensitive), with their mapping state",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			who, err := a.searchCaller(cmd.Context(), ref, as)
			if err != nil {
				return err
			}
			var res activities.SearchResult
			if err := a.connectionUpdate(cmd.Context(), ref, workflows.UpdateSearch, workflows.SearchRequest{Query: args[0], Limit: limit, Caller: who}, &res); err != nil {
				return err
			}
			return a.printMappings(res.Members, "")
		},
	}
	ref.flags(cmd)
	asFlag(cmd, &as, "a Slack admin's member id, or a Salesforce admin's id or username")
	cmd.Flags().IntVar(&limit, "limit", 20, "at most this many (1 to 1000)")
	return cmd
}

// printMappings shows members and their mapping state.
func (a *app) printMappings(ms []activities.MemberMapping, next string) error {
	if a.output == "json" {
		if ms == nil {
			ms = []activities.MemberMapping{}
		}
		if len(ms) == 1 && next != "" {
			return a.printJSON(ms[0])
		}
		return a.printJSON(map[string]any{"members": ms})
	}
	if len(ms) == 0 {
		fmt.Fprintln(a.env.Out, "No members found.")
		return nil
	}
	tw := newTable(a.env.Out)
	fmt.Fprintln(tw, "MEMBER\tNAME\tEMAIL\tSTATE\tSOURCE\tSALESFORCE USER")
	for _, m := range ms {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.SlackUserID, dash(m.SlackName), dash(m.SlackEmail), m.State, dash(m.Source),
			dash(strings.TrimSpace(m.SalesforceUsername+" "+m.SalesforceUserID)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if next != "" {
		fmt.Fprintln(a.env.Out, "\n"+next)
	}
	return nil
}
