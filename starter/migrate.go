package starter

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sfconnect/sfconnect/store"
)

// migrateCommand is the operators' explicit schema step: the store is
// migrated by the worker at start, or by this, never as a side effect of
// another command.
func (a *app) migrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create or migrate the store's schema (DATABASE_URL); the worker also does at start",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			url := a.env.Config.DatabaseURL
			if err := store.Migrate(cmd.Context(), url); err != nil {
				return err
			}
			engine, _, _ := store.EngineOf(url)
			if a.output == "json" {
				return a.printJSON(map[string]any{"migrated": true, "engine": engine})
			}
			_, err := fmt.Fprintf(a.env.Out, "The %s store's schema is up to date.\n", engine)
			return err
		},
	}
}
