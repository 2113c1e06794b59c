package deploy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sfconnect/sfconnect/internal/testneeds"
)

// The tools' targets answer to the names the README and people type
// (`make .bin/temporal`), not only to absolute paths; and `make test`
// turns the suite's skips for missing tools into failures.
func TestMakefileTargets(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		testneeds.Missing(t, "make", "install it (apt-get install make)", err)
	}
	for _, target := range []string{".bin/temporal", ".bin/staticcheck", ".bin/workflowcheck"} {
		out, err := exec.Command("make", "-n", "-C", root, target).CombinedOutput()
		if err != nil {
			t.Errorf("make -n %s: %v\n%s", target, err, out)
		}
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mk), "export "+testneeds.EnvRequire+" := 1") {
		t.Errorf("the Makefile does not export %s=1: `make test` would pass by skipping", testneeds.EnvRequire)
	}
}
