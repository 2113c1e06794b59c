package starter

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/sfconnect/sfconnect/mappingcsv"
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
			n, err := exportMappings(cmd, st, grant.ConnectionID, out)
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

// exportMappings streams a connection's mappings as CSV, row by row: memory
// does not grow with their number.
func exportMappings(cmd *cobra.Command, st store.Store, connectionID string, out io.Writer) (int, error) {
	w, err := mappingcsv.NewWriter(out)
	if err != nil {
		return 0, err
	}
	n := 0
	err = st.ListMappings(cmd.Context(), connectionID, nil, func(m store.Mapping) error {
		n++
		return w.Write(mappingcsv.Row{
			SlackUserID: m.SlackUserID, SlackEmail: m.SlackEmail, SlackName: m.SlackName,
			SalesforceUserID: m.SalesforceUserID, SalesforceUsername: m.SalesforceUsername,
			State: string(m.State), Source: string(m.Source), UpdatedAt: m.UpdatedAt,
		})
	})
	if err != nil {
		return n, fmt.Errorf("export: %w", err)
	}
	return n, w.Flush()
}
