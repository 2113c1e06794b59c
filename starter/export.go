package starter

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/sfconnect/sfconnect/sfclient"
	"github.com/sfconnect/sfconnect/store"
	"github.com/sfconnect/sfconnect/workflows"
)

func (a *app) membersExportCommand() *cobra.Command {
	var ref orgRef
	var file, as string
	cmd := &cobra.Command{
		Use:   "export --workspace T… --org ORG [--file OUT.csv] --as SLACK_USER",
		Short: "Export the user-mapping CSV of a connection (stdout, or --file)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			who, err := a.slackCaller(ref.team, as)
			if err != nil {
				return err
			}
			var grant workflows.ExportGrant
			if err := a.connectionUpdate(cmd.Context(), ref, workflows.UpdateExport, workflows.ExportRequest{Caller: who}, &grant); err != nil {
				return err
			}
			st, err := store.Open(cmd.Context(), a.env.Config.DatabaseURL)
			if err != nil {
				return fmt.Errorf("open the store (DATABASE_URL): %w", err)
			}
			defer st.Close()
			out := a.env.Out
			if file != "" {
				f, err := os.Create(file)
				if err != nil {
					return fmt.Errorf("export file: %w", err)
				}
				defer f.Close()
				out = f
			}
			n, err := (&sfclient.Client{Config: a.env.Config, Store: st}).Export(cmd.Context(), grant.ConnectionID, out)
			if err != nil {
				return err
			}
			if file != "" {
				fmt.Fprintf(a.env.Err, "Exported %d mappings to %s.\n", n, file)
			}
			return nil
		},
	}
	ref.flags(cmd)
	cmd.Flags().StringVar(&file, "file", "", "write the CSV to this file instead of stdout")
	asFlag(cmd, &as, "the Slack member id exporting")
	return cmd
}
