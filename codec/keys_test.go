package codec_test

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sfconnect/sfconnect/codec"
)

// key is a deterministic 32-byte key in base64, for specs in tests.
func key(b byte) string {
	raw := make([]byte, 32)
	for i := range raw {
		raw[i] = b + byte(i)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

func mustKeys(t *testing.T, spec string) *codec.Keys {
	t.Helper()
	k, err := codec.ParseKeys(spec)
	if err != nil {
		t.Fatalf("ParseKeys(%q): %v", spec, err)
	}
	return k
}

func TestParseKeys(t *testing.T) {
	k := mustKeys(t, "b:"+key(2)+", a:"+key(1)+"\nold:"+strings.TrimRight(key(3), "="))
	if k.Current() != "b" {
		t.Errorf("current = %q, want the first, b", k.Current())
	}
	if got := strings.Join(k.IDs(), ","); got != "b,a,old" {
		t.Errorf("ids = %s", got)
	}
	urlKey := base64.RawURLEncoding.EncodeToString([]byte(strings.Repeat("\xff", 32)))
	mustKeys(t, "u:"+urlKey)
	for _, s := range []string{k.String(), k.GoString()} {
		if strings.Contains(s, key(2)) || !strings.Contains(s, "b") {
			t.Errorf("String shows key material or no ids: %s", s)
		}
	}
}

func TestParseKeysErrors(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	for _, tc := range []struct{ spec, want string }{
		{"", "no keys"},
		{" , ", "no keys"},
		{key(1), "not id:base64key"},
		{":" + key(1), "empty key id"},
		{"a b:" + key(1), "not id:base64key"},
		{"a/b:" + key(1), "only letters"},
		{strings.Repeat("x", 65) + ":" + key(1), "longer than"},
		{"a:not*base64!", `key "a" is not base64`},
		{"a:" + short, `key "a" is 16 bytes; AES-256 needs 32`},
		{"a:" + key(1) + ",a:" + key(2), `key id "a" appears twice`},
	} {
		_, err := codec.ParseKeys(tc.spec)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseKeys(%q) = %v, want an error with %q", tc.spec, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), key(1)) || strings.Contains(err.Error(), short) {
			t.Errorf("error shows key material: %v", err)
		}
	}
}

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadKeys(t *testing.T) {
	k, err := codec.LoadKeys(env(nil))
	if k != nil || err != nil {
		t.Fatalf("nothing set: %v, %v; want nil, nil (no encryption)", k, err)
	}
	k, err = codec.LoadKeys(env(map[string]string{codec.EnvKeys: "k1:" + key(1)}))
	if err != nil || k.Current() != "k1" {
		t.Fatalf("spec: %v, %v", k, err)
	}

	dir := t.TempDir()
	file := filepath.Join(dir, "keys")
	content := "# sfconnect keys\nnew:" + key(5) + "   # current since 2026-05\n\n  old:" + key(4) + ",older:" + key(3) + "\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err = codec.LoadKeys(env(map[string]string{codec.EnvKeysFile: file}))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(k.IDs(), ","); got != "new,old,older" {
		t.Errorf("file ids = %s", got)
	}

	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{codec.EnvKeys: "k1:" + key(1), codec.EnvKeysFile: file}, "both"},
		{map[string]string{codec.EnvKeys: "k1:abc"}, codec.EnvKeys + `: key "k1" is`},
		{map[string]string{codec.EnvKeysFile: filepath.Join(dir, "missing")}, codec.EnvKeysFile},
		{map[string]string{codec.EnvKeysFile: writeFile(t, dir, "empty", "# nothing yet\n")}, "no keys"},
	} {
		if _, err := codec.LoadKeys(env(tc.env)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadKeys(%v) = %v, want an error with %q", tc.env, err, tc.want)
		}
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDevKeysPersist(t *testing.T) {
	dir := filepath.Join(t.TempDir(), ".data") // not there yet
	k1, err := codec.DevKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, codec.DevKeysFile))
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("codec.keys mode %o, want 600", perm)
	}
	k2, err := codec.DevKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if k1.Current() != k2.Current() {
		t.Fatalf("second DevKeys has key %s, first %s", k2.Current(), k1.Current())
	}
	// Same id and same key: what the first ring sealed, the second opens.
	roundTrip(t, codec.New(k1), codec.New(k2))
	// The file is LoadKeys' format.
	k3, err := codec.LoadKeys(env(map[string]string{codec.EnvKeysFile: filepath.Join(dir, codec.DevKeysFile)}))
	if err != nil || k3.Current() != k1.Current() {
		t.Fatalf("LoadKeys of the dev file: %v, %v", k3, err)
	}
	// Another data directory, another key.
	other, err := codec.DevKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if other.Current() == k1.Current() {
		t.Errorf("two data directories share key id %s", other.Current())
	}
}

func TestDevKeysRace(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			k, err := codec.DevKeys(dir)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = k.Current()
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("racing DevKeys got different keys: %v", ids)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestDevKeysBadFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, codec.DevKeysFile, "dev:short\n")
	if _, err := codec.DevKeys(dir); err == nil || !strings.Contains(err.Error(), codec.DevKeysFile) {
		t.Fatalf("a corrupt dev key file: %v, want an error naming it", err)
	}
	// A directory that cannot be made.
	if _, err := codec.DevKeys(filepath.Join(writeFile(t, dir, "plain", ""), "sub")); err == nil {
		t.Fatal("DevKeys under a regular file succeeded")
	}
}

func TestNewKey(t *testing.T) {
	entry, err := codec.NewKey("2026-06")
	if err != nil {
		t.Fatal(err)
	}
	if k := mustKeys(t, entry); k.Current() != "2026-06" {
		t.Errorf("current %s", k.Current())
	}
	if _, err := codec.NewKey("bad id"); err == nil {
		t.Error("NewKey accepted an id with a space")
	}
}
