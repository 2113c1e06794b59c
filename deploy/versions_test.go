package deploy_test

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// versions are deploy/versions.env's NAME=value lines: the one place that
// pins what compose, the Makefile and testsuite/production run.
func versions(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "deploy", "versions.env"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("deploy/versions.env: %q is not NAME=value", line)
		}
		out[k] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVersionsShared: the Temporal images compose runs are the version
// deploy/versions.env names, the one the Makefile builds for `make test`.
func TestVersionsShared(t *testing.T) {
	want := versions(t)["TEMPORAL_SERVER_VERSION"]
	if !regexp.MustCompile(`^\d+\.\d+\.\d+$`).MatchString(want) {
		t.Fatalf("deploy/versions.env: TEMPORAL_SERVER_VERSION=%q is not a release (1.31.0)", want)
	}
	c := loadCompose(t)
	for _, name := range append([]string{"temporal"}, oneShots...) {
		if _, tag, _ := imageRef(c.svc(t, name).Image); tag != want {
			t.Errorf("%s: image tag %q; deploy/versions.env pins %s (change both, or neither)", name, tag, want)
		}
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"include deploy/versions.env", "go.temporal.io/server/cmd/server@v$(TEMPORAL_SERVER_VERSION)", "go.temporal.io/server/cmd/tools/sql@v$(TEMPORAL_SERVER_VERSION)"} {
		if !strings.Contains(string(mk), line) {
			t.Errorf("Makefile: no %q; it must build the server at deploy/versions.env's version", line)
		}
	}
}
