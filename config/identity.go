package config

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/sfconnect/sfconnect/identity"
	"github.com/sfconnect/sfconnect/workflows"
)

// The proofs of identity (SPEC section 12): the key the console and the
// worker share, whether the worker demands a proof, where sign-ins come
// back to.
const (
	// EnvSigningKey is the key that signs and verifies proofs: base64 of
	// at least identity.MinKeySize bytes.
	EnvSigningKey = "SFCONNECT_SIGNING_KEY"
	// EnvSigningKeyFile names a file holding that base64 text.
	EnvSigningKeyFile = "SFCONNECT_SIGNING_KEY_FILE"
	// DevSigningKeyFile is the default run's key file, under DataDir.
	DevSigningKeyFile = "signing.key"
	// DefaultConsoleURL is where the default run serves the console.
	DefaultConsoleURL = "http://127.0.0.1:8088"
	// ConsoleSalesforceCallback is the console's path that Salesforce
	// sends a member back to after their sign-in.
	ConsoleSalesforceCallback = "/auth/salesforce/callback"
)

// loadSigningKey reads SFCONNECT_SIGNING_KEY or SFCONNECT_SIGNING_KEY_FILE
// (nil, nil when neither is set). Errors never show the key.
func loadSigningKey(getenv func(string) string) ([]byte, error) {
	text := strings.TrimSpace(getenv(EnvSigningKey))
	file := strings.TrimSpace(getenv(EnvSigningKeyFile))
	switch {
	case text != "" && file != "":
		return nil, fmt.Errorf("both %s and %s are set: set one", EnvSigningKey, EnvSigningKeyFile)
	case text != "":
		key, err := decodeSigningKey(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvSigningKey, err)
		}
		return key, nil
	case file != "":
		key, err := readSigningKey(file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvSigningKeyFile, err)
		}
		return key, nil
	}
	return nil, nil
}

func readSigningKey(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	key, err := decodeSigningKey(string(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

func decodeSigningKey(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	var key []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err = enc.DecodeString(text); err == nil {
			break
		}
	}
	if err != nil {
		return nil, errors.New("not base64 (make a key with: openssl rand -base64 32)")
	}
	if len(key) < identity.MinKeySize {
		return nil, fmt.Errorf("the key is %d bytes; it needs at least %d (make one with: openssl rand -base64 32)", len(key), identity.MinKeySize)
	}
	return key, nil
}

// SigningKey is the key that signs and verifies proofs of identity: the
// configured one; in sandbox mode, one generated once into
// DataDir/signing.key (mode 0600) and read back from then on, so that the
// console and the worker of `make run` share it; outside sandbox mode
// without one, an error.
func (c Config) SigningKey() ([]byte, error) {
	switch {
	case c.SigningKeyBytes != nil:
		return c.SigningKeyBytes, nil
	case c.Sandbox():
		return devSigningKey(c.DataDir)
	}
	return nil, fmt.Errorf("no key to verify proofs of identity with: set %s (base64 of 32 random bytes: `openssl rand -base64 32`), the same for the console and the worker, or %s", EnvSigningKey, EnvSigningKeyFile)
}

// devSigningKey reads dataDir/signing.key, generating it first if needed.
// Processes racing to create it end up with the same key: the file is
// linked into place whole, and only the first link wins.
func devSigningKey(dataDir string) ([]byte, error) {
	path := filepath.Join(dataDir, DevSigningKeyFile)
	key, err := readSigningKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	raw := make([]byte, identity.MinKeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	tmp, err := os.CreateTemp(dataDir, "."+DevSigningKeyFile+".*")
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(base64.StdEncoding.EncodeToString(raw) + "\n")
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, fmt.Errorf("signing key: %w", werr)
	}
	// CreateTemp makes the file 0600 already.
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("signing key: write %s: %w", path, err)
	}
	return readSigningKey(path)
}

// ProofRequired reports whether the worker refuses a human step that comes
// without a proof of who takes it: always outside sandbox mode; in sandbox
// mode only with SFCONNECT_REQUIRE_PROOF=1 (a bare "as" is otherwise
// accepted and recorded as unverified).
func (c Config) ProofRequired() bool { return !c.Sandbox() || c.RequireProof }

// SignInRedirectURIs are the addresses a member's Salesforce sign-in may
// come back to: the CLI's loopback address and the console's callback.
func (c Config) SignInRedirectURIs() []string {
	return []string{workflows.SignInRedirectURI, strings.TrimSuffix(c.ConsoleURL, "/") + ConsoleSalesforceCallback}
}
