package sfclient

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/sfconnect/sfconnect/mappingcsv"
	"github.com/sfconnect/sfconnect/store"
)

// ResultColumns is the header of a job's results CSV.
var ResultColumns = []string{"line", "slack", "salesforce", "outcome", "reason", "slack_user_id", "salesforce_user_id", "salesforce_username", "plan"}

// resultReason is the index of "reason" in ResultColumns.
const resultReason = 4

// ErrJobNotFound is returned for a job the store does not know.
var ErrJobNotFound = errors.New("no such job")

// JobResults streams every row of a job as CSV, with its line in the file
// and its outcome; no cell can run as a spreadsheet formula.
func (c *Client) JobResults(ctx context.Context, id string, out io.Writer) error {
	if c.Store == nil {
		return errors.New("no store to read the job from (DATABASE_URL)")
	}
	if _, ok, err := c.Store.GetJob(ctx, id); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("job %s: %w", id, ErrJobNotFound)
	}
	w := csv.NewWriter(out)
	w.UseCRLF = true
	if err := w.Write(ResultColumns); err != nil {
		return err
	}
	cells := make([]string, len(ResultColumns))
	err := c.Store.StreamJobRows(ctx, id, func(r store.JobRow) error {
		outcome := string(r.Outcome)
		if outcome == "" {
			outcome = "pending"
		}
		cleaned := false
		for i, v := range []string{strconv.Itoa(r.Line), r.SlackKey, r.SalesforceKey, outcome, r.Reason,
			r.SlackUserID, r.SalesforceUserID, r.SalesforceUsername, string(r.Plan)} {
			var c bool
			cells[i], c = mappingcsv.Cell(v)
			cleaned = cleaned || c
		}
		if cleaned {
			// The reason column says the row was changed on its way out.
			cells[resultReason] = strings.TrimSpace(cells[resultReason] + " " + mappingcsv.CleanedNote)
		}
		return w.Write(cells)
	})
	if err != nil {
		return err
	}
	w.Flush()
	return w.Error()
}

// Export streams a connection's mappings as the user-mapping CSV, row by
// row: memory does not grow with their number. It returns how many rows it
// wrote.
func (c *Client) Export(ctx context.Context, connectionID string, out io.Writer) (int, error) {
	if c.Store == nil {
		return 0, errors.New("no store to export from (DATABASE_URL)")
	}
	w, err := mappingcsv.NewWriter(out)
	if err != nil {
		return 0, err
	}
	n := 0
	err = c.Store.ListMappings(ctx, connectionID, nil, func(m store.Mapping) error {
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

// CountMappings counts a connection's mappings by state.
func (c *Client) CountMappings(ctx context.Context, connectionID string) (map[store.MappingState]int, error) {
	if c.Store == nil {
		return nil, errors.New("no store to count mappings in (DATABASE_URL)")
	}
	return c.Store.CountMappings(ctx, connectionID)
}
