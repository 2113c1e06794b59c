package testsuite

import (
	"os"
	"strings"
	"testing"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/sfconnect/sfconnect/devenv"
	"github.com/sfconnect/sfconnect/workflows"
)

// Every Web UI query the README shows, and the one the default run's
// banner suggests, is one the server accepts.
func TestReadmeQueriesAreValid(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "in the list's\nquery box")
	if !ok {
		t.Fatal("the README's Web UI queries are gone")
	}
	_, block, _ := strings.Cut(after, "```\n")
	block, _, _ = strings.Cut(block, "```")
	queries := append(strings.Split(strings.TrimSpace(block), "\n"), devenv.UIFilterExample)
	if len(queries) < 3 {
		t.Fatalf("queries %q", queries)
	}
	// Jobs are filtered by their phase in SfJobPhase; SfState is the
	// connections' state, which jobs do not set.
	jobQuery := false
	for _, q := range queries {
		jobQuery = jobQuery || strings.Contains(q, workflows.JobPhaseKey.GetName())
		if strings.Contains(q, workflows.StateKey.GetName()) && strings.Contains(q, workflows.JobWorkflowName) {
			t.Errorf("%s: jobs have no %s, their phase is %s", q, workflows.StateKey.GetName(), workflows.JobPhaseKey.GetName())
		}
	}
	if !jobQuery {
		t.Errorf("no README query filters jobs by %s", workflows.JobPhaseKey.GetName())
	}
	for _, q := range queries {
		_, err := env.Client.ListWorkflow(t.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: q})
		if err != nil {
			t.Errorf("%s: %v", q, err)
		}
	}
	// The banner's old filter, a comma between conditions, is refused.
	if _, err := env.Client.ListWorkflow(t.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: `SfWorkspace="T0DEMO0001", SfState="pending_approval"`}); err == nil {
		t.Error("a comma between conditions was accepted: the check proves nothing")
	}
}

// The README's command tables are whole: no blank line inside a table,
// and every row has the header's columns (a row that swallows the
// paragraph after it has more).
func TestReadmeTablesAreWhole(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(readme), "\n")
	cells := func(l string) int {
		l = strings.ReplaceAll(l, `\|`, "")
		// Pipes inside code spans are not column breaks.
		n, code := 0, false
		for _, r := range l {
			switch {
			case r == '`':
				code = !code
			case r == '|' && !code:
				n++
			}
		}
		return n
	}
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "| ") || i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "|---") {
			continue
		}
		want := cells(lines[i])
		j := i + 2
		for ; j < len(lines) && strings.HasPrefix(lines[j], "|"); j++ {
			if got := cells(lines[j]); got != want || !strings.HasSuffix(strings.TrimSpace(lines[j]), "|") {
				t.Errorf("README line %d: %d cells, the table has %d (or the row does not end): %s", j+1, got, want, lines[j])
			}
		}
		if j+1 < len(lines) && lines[j] == "" && strings.HasPrefix(lines[j+1], "| `") {
			t.Errorf("README line %d: a blank line cuts the table of line %d", j+1, i+1)
		}
		i = j
	}
}
