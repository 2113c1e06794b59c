package testsuite

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"

	"go.uber.org/zap"

	"github.com/sfconnect/sfconnect/logging"
)

// demoEmail matches the sandbox's demo addresses (owner@demo.example,
// member3@acme.example, admin@org07.example, admin@acme.example.uat…):
// every one ends in .example or .example.<something>.
var demoEmail = regexp.MustCompile(`(?i)[a-z0-9._%+-]+@[a-z0-9.-]+\.example\b`)

// demoNames are demo people's names (SPEC section 10): logs name members by
// id, so none of these may show either.
var demoNames = []string{"Demo Owner", "Demo Admin", "Member One", "Member Three", "Acme Admin", "Acme User"}

// runLog is the logger of an integration run: every line, at debug level,
// into path (and onto stderr too with SFCONNECT_TEST_LOG).
func runLog(path string) (*zap.Logger, error) {
	paths := []string{path}
	if os.Getenv("SFCONNECT_TEST_LOG") != "" {
		paths = append(paths, "stderr")
	}
	return logging.New("debug", paths...)
}

// scanRunLog is the leak check of a whole run: the lines of the product
// (worker, activities, SDK, console) that name a demo member by email or
// name. The sandbox's own lines are left out: it plays Slack and
// Salesforce, whose logs are theirs.
func scanRunLog(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("the run's log: %w", err)
	}
	defer f.Close()
	var leaks []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, `"logger":"sandbox`) {
			continue
		}
		if m := demoEmail.FindString(line); m != "" {
			leaks = append(leaks, m+": "+line)
			continue
		}
		for _, n := range demoNames {
			if strings.Contains(line, n) {
				leaks = append(leaks, n+": "+line)
				break
			}
		}
	}
	return leaks, sc.Err()
}
