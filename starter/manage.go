package starter

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sfconnect/sfconnect/activities"
	"github.com/sfconnect/sfconnect/workflows"
)

func (a *app) updateCommand() *cobra.Command {
	var ref orgRef
	var orgURL, as string
	cmd := &cobra.Command{
		Use:   "update --workspace T… --org ORG [--org-url URL] --as SLACK_USER",
		Short: "Bring a connection to the newest version, or move it to its org's new My Domain URL",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			who, err := a.slackCaller(ref.team, as)
			if err != nil {
				return err
			}
			c, err := a.step(cmd.Context(), ref, workflows.UpdateUpdate, workflows.ConnectionUpdate{OrgURL: orgURL, Caller: who})
			if err != nil {
				return err
			}
			return a.printConnection(c, "Updated.")
		},
	}
	ref.flags(cmd)
	cmd.Flags().StringVar(&orgURL, "org-url", "", "the org's new My Domain URL (it must be the same org)")
	asFlag(cmd, &as, "the Slack member id updating")
	return cmd
}

func (a *app) bannerCommand() *cobra.Command {
	var ref orgRef
	var as string
	cmd := &cobra.Command{
		Use:   "banner on|off --workspace T… --org ORG --as SLACK_USER",
		Short: "Turn the Salesforce login banner in members' sidebars on or off (on: mapped and invited members are told)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			on := strings.ToLower(args[0])
			if on != "on" && on != "off" {
				return usagef("banner takes on or off, not %q", args[0])
			}
			who, err := a.slackCaller(ref.team, as)
			if err != nil {
				return err
			}
			c, err := a.step(cmd.Context(), ref, workflows.UpdateBanner, workflows.BannerRequest{On: on == "on", Caller: who})
			if err != nil {
				return err
			}
			return a.printConnection(c, "Login banner "+on+".")
		},
	}
	ref.flags(cmd)
	asFlag(cmd, &as, "the Slack member id")
	return cmd
}

func (a *app) objectsCommand() *cobra.Command {
	var ref orgRef
	var as string
	cmd := &cobra.Command{
		Use:   "objects list|add OBJECT… --workspace T… --org ORG --as SLACK_USER",
		Short: "List, or add to, the object types the integration user's permission set opens",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var add []string
			switch args[0] {
			case "list":
				if len(args) > 1 {
					return usagef("objects list takes no object types")
				}
			case "add":
				if len(args) < 2 {
					return usagef("objects add needs at least one object type (e.g. Invoice__c)")
				}
				add = args[1:]
			default:
				return usagef("objects takes list or add, not %q", args[0])
			}
			who, err := a.slackCaller(ref.team, as)
			if err != nil {
				return err
			}
			var res activities.ObjectsResult
			if err := a.connectionUpdate(cmd.Context(), ref, workflows.UpdateObjects, workflows.ObjectsRequest{Add: add, Caller: who}, &res); err != nil {
				return err
			}
			if a.output == "json" {
				return a.printJSON(res)
			}
			if len(res.Added) > 0 {
				fmt.Fprintf(a.env.Out, "Added: %s\n", strings.Join(res.Added, ", "))
			}
			fmt.Fprintf(a.env.Out, "Objects of the integration user's permission set: %s\n", strings.Join(res.Objects, ", "))
			return nil
		},
	}
	ref.flags(cmd)
	asFlag(cmd, &as, "the Slack member id")
	return cmd
}
