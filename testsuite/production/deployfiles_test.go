package production

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The dynamic config compose mounts is valid for this server version: every
// key known to it, every value of the key's type (the server only warns,
// and then ignores the value).
func testDynamicConfig(t *testing.T) {
	file := topo.server.env["DYNAMIC_CONFIG_FILE_PATH"]
	out, err := exec.Command(topo.server.bin, "validate-dynamic-config", file).CombinedOutput()
	if err != nil {
		t.Fatalf("server validate-dynamic-config %s: %v\n%s", file, err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if l := strings.TrimSpace(line); strings.HasPrefix(l, "warning:") || strings.HasPrefix(l, "error:") {
			t.Errorf("%s: %s", filepath.Base(file), l)
		}
	}
}

// schema.sh runs on every `docker compose up`: on databases at this
// version already, it changes nothing and succeeds.
func testSchemaAgain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sdir, err := serverDir()
	if err != nil {
		t.Fatal(err)
	}
	if err := runSchema(ctx, root, sdir, filepath.Join(topo.dir, "schema-again.log"), topo.compose, topo.dbs); err != nil {
		t.Fatal(err)
	}
	// The server still answers on the schemas it started with.
	if err := topo.server.healthy(ctx); err != nil {
		t.Fatalf("after schema.sh ran again: %v", err)
	}
}
