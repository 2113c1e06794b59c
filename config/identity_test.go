package config

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestSigningKeyFromTheEnvironment(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	b64 := base64.StdEncoding.EncodeToString(key)
	c, err := LoadFrom(env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-real", EnvSigningKey: b64}))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := c.SigningKey(); err != nil || !bytes.Equal(got, key) {
		t.Fatalf("SFCONNECT_SIGNING_KEY: %v %v", got, err)
	}
	file := filepath.Join(t.TempDir(), "key")
	if err := os.WriteFile(file, []byte(b64+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = LoadFrom(env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-real", EnvSigningKeyFile: file}))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := c.SigningKey(); !bytes.Equal(got, key) {
		t.Fatal("SFCONNECT_SIGNING_KEY_FILE not read")
	}
	for name, vars := range map[string]map[string]string{
		"short":   {EnvSigningKey: base64.StdEncoding.EncodeToString(key[:16])},
		"not b64": {EnvSigningKey: "not base64!"},
		"both":    {EnvSigningKey: b64, EnvSigningKeyFile: file},
		"no file": {EnvSigningKeyFile: filepath.Join(t.TempDir(), "missing")},
	} {
		_, err := LoadFrom(env(vars))
		if err == nil || !strings.Contains(err.Error(), "SFCONNECT_SIGNING_KEY") {
			t.Errorf("%s: %v", name, err)
		}
		if err != nil && strings.Contains(err.Error(), b64) {
			t.Errorf("%s: the error shows the key", name)
		}
	}
}

// Outside sandbox mode a key must be configured; in sandbox mode one is
// generated once under DataDir, 0600, and every process reads the same.
func TestSigningKeyInSandboxMode(t *testing.T) {
	c, err := LoadFrom(env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-real"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.SigningKey(); err == nil || !strings.Contains(err.Error(), EnvSigningKey) {
		t.Fatalf("no key outside sandbox mode: %v", err)
	}
	dir := t.TempDir()
	c, err = LoadFrom(env(map[string]string{"SFCONNECT_DATA_DIR": dir}))
	if err != nil || !c.Sandbox() {
		t.Fatalf("sandbox config: %v", err)
	}
	keys := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k, err := c.SigningKey()
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}()
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if len(k) < 32 || !bytes.Equal(k, keys[0]) {
			t.Fatal("racing processes got different keys")
		}
	}
	st, err := os.Stat(filepath.Join(dir, DevSigningKeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	again, _ := c.SigningKey()
	if !bytes.Equal(again, keys[0]) {
		t.Fatal("the key changed on a second read")
	}
}

func TestProofSettings(t *testing.T) {
	c, _ := LoadFrom(env(nil))
	if c.ProofRequired() {
		t.Error("sandbox mode requires proofs by default")
	}
	if got := c.SignInRedirectURIs(); len(got) != 2 || got[1] != "http://127.0.0.1:8088/auth/salesforce/callback" {
		t.Errorf("redirect URIs %v", got)
	}
	c, _ = LoadFrom(env(map[string]string{"SFCONNECT_REQUIRE_PROOF": "1", "SFCONNECT_CONSOLE_URL": "https://console.example/", "SFCONNECT_PROOF": " tok ", "HOME": "/home/ada"}))
	if !c.ProofRequired() || c.SignInRedirectURIs()[1] != "https://console.example/auth/salesforce/callback" || c.Proof != "tok" || c.LoginFile != "/home/ada/.config/sfconnect/login.json" {
		t.Errorf("set: %v %v %q %q", c.ProofRequired(), c.SignInRedirectURIs(), c.Proof, c.LoginFile)
	}
	c, _ = LoadFrom(env(map[string]string{"SLACK_BOT_TOKEN": "xoxb-real"}))
	if !c.ProofRequired() {
		t.Error("outside sandbox mode proofs are not required")
	}
}
