package deploy_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestScriptsNeedOnlyCommonTools: deploy/'s scripts run in Temporal's
// admin-tools image, the postgres image and on a plain Debian host
// (testsuite/production): no netcat, which not all of them have.
func TestScriptsNeedOnlyCommonTools(t *testing.T) {
	scripts, err := filepath.Glob(filepath.Join(root, "deploy", "*", "*.sh"))
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob(filepath.Join(root, "deploy", "*", "*", "*.sh"))
	scripts = append(scripts, more...)
	if len(scripts) < 3 {
		t.Fatalf("deploy/ scripts: found only %v", scripts)
	}
	netcat := regexp.MustCompile(`(?m)^[^#\n]*\b(nc|netcat|ncat)\s+-`)
	for _, s := range scripts {
		src, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		if loc := netcat.FindIndex(src); loc != nil {
			t.Errorf("%s calls netcat (%q): not every image nor Debian has it", s, src[loc[0]:loc[1]])
		}
	}
}
