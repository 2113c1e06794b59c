package codec

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

const (
	// EnvKeys holds a key ring spec: "id1:base64key,id2:base64key", the
	// first key current.
	EnvKeys = "SFCONNECT_CODEC_KEYS"
	// EnvKeysFile names a file holding the spec: one key per line or
	// comma-separated, comments after #.
	EnvKeysFile = "SFCONNECT_CODEC_KEYS_FILE"
	// DevKeysFile is the default run's key file, under its data directory.
	DevKeysFile = "codec.keys"
	// KeySize is the size of a key: AES-256.
	KeySize = 32
	// maxKeyID bounds a key id, which travels in every payload's metadata.
	maxKeyID = 64
)

// Keys is a key ring: the current key encrypts; every key decrypts, so that
// data sealed before a rotation stays readable while its key is kept after
// the new one. A Keys is immutable and safe for concurrent use.
type Keys struct {
	ids   []string // in the spec's order; ids[0] is current
	aeads map[string]cipher.AEAD
}

// ParseKeys reads a key ring spec: "id1:base64key,id2:base64key" (commas or
// whitespace between entries). The first key is the current one. Keys are
// 32 random bytes (AES-256) in standard or URL base64, padded or not; ids
// are up to 64 of [A-Za-z0-9._-]. Errors name the entry and the id, never
// the key material.
func ParseKeys(spec string) (*Keys, error) {
	entries := strings.FieldsFunc(spec, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	if len(entries) == 0 {
		return nil, errors.New(`no keys: expected "id:base64key[,id:base64key…]", the first current (make a key with: openssl rand -base64 32)`)
	}
	k := &Keys{aeads: make(map[string]cipher.AEAD, len(entries))}
	for i, entry := range entries {
		id, b64, ok := strings.Cut(entry, ":")
		if !ok {
			return nil, fmt.Errorf("key entry %d is not id:base64key", i+1)
		}
		if err := checkID(id); err != nil {
			return nil, fmt.Errorf("key entry %d: %w", i+1, err)
		}
		if _, dup := k.aeads[id]; dup {
			return nil, fmt.Errorf("key id %q appears twice: every key needs its own id", id)
		}
		raw, err := decodeBase64(b64)
		if err != nil {
			return nil, fmt.Errorf("key %q is not base64: %w", id, err)
		}
		if len(raw) != KeySize {
			return nil, fmt.Errorf("key %q is %d bytes; AES-256 needs %d (make one with: openssl rand -base64 32)", id, len(raw), KeySize)
		}
		aead, err := newAEAD(raw)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", id, err)
		}
		k.ids = append(k.ids, id)
		k.aeads[id] = aead
	}
	return k, nil
}

// LoadKeys reads the key ring from the environment: SFCONNECT_CODEC_KEYS
// (a spec, see ParseKeys) or SFCONNECT_CODEC_KEYS_FILE (a file holding one,
// one key per line or comma-separated, comments after #). With neither set
// it returns nil, nil: no encryption. Both set is an error.
func LoadKeys(getenv func(string) string) (*Keys, error) {
	spec := strings.TrimSpace(getenv(EnvKeys))
	file := strings.TrimSpace(getenv(EnvKeysFile))
	switch {
	case spec != "" && file != "":
		return nil, fmt.Errorf("both %s and %s are set: set one", EnvKeys, EnvKeysFile)
	case spec != "":
		k, err := ParseKeys(spec)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvKeys, err)
		}
		return k, nil
	case file != "":
		k, err := readKeysFile(file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvKeysFile, err)
		}
		return k, nil
	}
	return nil, nil
}

// LoadKeysOrDev is the key ring of a command that serves the codec or
// guards by it: the environment's (LoadKeys), else the default run's in
// devDataDir when one is given; source says which, for its start line.
func LoadKeysOrDev(getenv func(string) string, devDataDir string) (keys *Keys, source string, err error) {
	if keys, err = LoadKeys(getenv); err != nil {
		return nil, "", err
	}
	switch {
	case keys != nil && getenv(EnvKeys) != "":
		return keys, EnvKeys, nil
	case keys != nil:
		return keys, EnvKeysFile + " " + getenv(EnvKeysFile), nil
	case devDataDir != "":
		keys, err := DevKeys(devDataDir)
		return keys, "dev key ring in " + devDataDir, err
	}
	return nil, "", fmt.Errorf("no keys: set %s or %s, or give -dev-data-dir (the default run's: .data)", EnvKeys, EnvKeysFile)
}

// DevKeys is the default run's key ring: a key generated once into
// dataDir/codec.keys (mode 0600) and read back from then on, so that
// `make run` encrypts out of the box and its restarts still decrypt. The
// file has LoadKeys' file format; to rotate, add a new key on the first line.
// Processes racing to create it end up with the same key.
func DevKeys(dataDir string) (*Keys, error) {
	path := filepath.Join(dataDir, DevKeysFile)
	k, err := readKeysFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, err
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("codec keys: %w", err)
	}
	idSuffix := make([]byte, 4)
	if _, err := rand.Read(idSuffix); err != nil {
		return nil, err
	}
	entry, err := NewKey(fmt.Sprintf("dev-%x", idSuffix))
	if err != nil {
		return nil, err
	}
	content := "# sfconnect's codec keys for the default run (make run), generated once.\n" +
		"# The first key encrypts, every key decrypts: to rotate, add a new key above.\n" +
		entry + "\n"
	if err := createOnce(path, []byte(content)); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("codec keys: write %s: %w", path, err)
	}
	// Whether this process or another won the race, the file is now the truth.
	return readKeysFile(path)
}

// NewKey makes a fresh random key as a spec entry, "id:base64key", to add at
// the head of a key ring.
func NewKey(id string) (string, error) {
	if err := checkID(id); err != nil {
		return "", err
	}
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	return id + ":" + base64.StdEncoding.EncodeToString(raw), nil
}

// Current is the id of the key that encrypts.
func (k *Keys) Current() string { return k.ids[0] }

// IDs are the ids of every key, the current first.
func (k *Keys) IDs() []string { return append([]string(nil), k.ids...) }

// String names the keys, never their material, so that a Keys may be logged.
func (k *Keys) String() string {
	if k == nil {
		return "codec.Keys(none)"
	}
	return fmt.Sprintf("codec.Keys(current %s; %s)", k.ids[0], strings.Join(k.ids, ", "))
}

// GoString keeps %#v from printing the ciphers' expanded keys.
func (k *Keys) GoString() string { return k.String() }

func (k *Keys) aead(id string) (cipher.AEAD, bool) {
	a, ok := k.aeads[id]
	return a, ok
}

func checkID(id string) error {
	if id == "" {
		return errors.New("empty key id")
	}
	if len(id) > maxKeyID {
		return fmt.Errorf("key id %.16q… is longer than %d characters", id, maxKeyID)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("key id %q: only letters, digits, '.', '_' and '-' are allowed", id)
		}
	}
	return nil
}

func decodeBase64(s string) ([]byte, error) {
	var firstErr error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		b, err := enc.DecodeString(s)
		if err == nil {
			return b, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, firstErr
}

// newAEAD is AES-256-GCM with a random 12-byte nonce that Seal prefixes to
// the ciphertext and Open reads back.
func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithRandomNonce(block)
}

func readKeysFile(path string) (*Keys, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		if before, _, found := strings.Cut(line, "#"); found {
			lines[i] = before
		}
	}
	k, err := ParseKeys(strings.Join(lines, "\n"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return k, nil
}

// createOnce creates path with content and mode 0600 unless it exists
// (fs.ErrExist), never leaving it partly written: the content goes to a
// temporary file first, which is then linked into place.
func createOnce(path string, content []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	err = os.Link(tmp.Name(), path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	// No hard links on this file system: an exclusive create will do.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(content); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
