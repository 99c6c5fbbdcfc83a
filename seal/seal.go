// Package seal encrypts secrets at rest with AES-256-GCM: resources' secret
// outputs and driver state, and the values of Secret objects kept in
// deployment snapshots. The key comes from PAVED_SECRET_KEY or a key file
// (mode 0600) generated in the data directory on first start.
package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// KeySize is the size of an AES-256 key.
const KeySize = 32

// version prefixes every sealed value so that the format can change.
const version = 1

// Sealer seals with one key and opens with it or, while a rotation is
// under way, with the key it replaces (Keys.Old).
type Sealer struct {
	aead cipher.AEAD
	old  []cipher.AEAD
	// derive is the key Derive uses: the sealing key, or after a rotation
	// the first key's, so that what is derived (environments' seeds, the
	// GitOps MAC key) stays the same.
	derive []byte
}

// Keys are a server's secret keys.
type Keys struct {
	// Seal seals and opens.
	Seal []byte
	// Derive derives stable secrets (Sealer.Derive); nil means Seal. A
	// rotation keeps it: generated secrets derive from it.
	Derive []byte
	// Old open, never seal: the keys a rotation under way replaces.
	Old [][]byte
}

// New returns a Sealer for a 32-byte key.
func New(key []byte) (*Sealer, error) { return NewKeys(Keys{Seal: key}) }

// NewKeys returns a Sealer for keys.
func NewKeys(k Keys) (*Sealer, error) {
	aead, err := newAEAD(k.Seal)
	if err != nil {
		return nil, err
	}
	s := &Sealer{aead: aead, derive: bytes.Clone(k.Seal)}
	if k.Derive != nil {
		if len(k.Derive) != KeySize {
			return nil, fmt.Errorf("the derivation key must be %d bytes, not %d", KeySize, len(k.Derive))
		}
		s.derive = bytes.Clone(k.Derive)
	}
	for _, o := range k.Old {
		a, err := newAEAD(o)
		if err != nil {
			return nil, fmt.Errorf("old key: %w", err)
		}
		s.old = append(s.old, a)
	}
	return s, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("the secret key must be %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Seal encrypts plaintext; ad binds it to where it is stored (a row's id),
// so that a sealed value copied elsewhere does not open.
func (s *Sealer) Seal(plaintext, ad []byte) []byte {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead()+1)
	_, _ = rand.Read(nonce)
	out := append([]byte{version}, nonce...)
	return s.aead.Seal(out, nonce, plaintext, ad)
}

// Open decrypts what Seal produced with the same ad.
func (s *Sealer) Open(sealed, ad []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != version {
		return nil, errors.New("not a sealed value of a known version")
	}
	pt, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], ad)
	for _, o := range s.old {
		if err == nil {
			break
		}
		pt, err = o.Open(nil, sealed[1:1+n], sealed[1+n:], ad)
	}
	if err != nil {
		return nil, errors.New("cannot open a sealed value: wrong key (PAVED_SECRET_KEY changed?) or damaged data")
	}
	return pt, nil
}

// textPrefix marks sealed values inside text fields.
const textPrefix = "paved-sealed:"

// SealString seals s into a string that can sit in a JSON document.
func (s *Sealer) SealString(v string, ad string) string {
	return textPrefix + base64.RawStdEncoding.EncodeToString(s.Seal([]byte(v), []byte(ad)))
}

// OpenString reverses SealString; a value that is not sealed is an error.
func (s *Sealer) OpenString(v string, ad string) (string, error) {
	if !IsSealed(v) {
		return "", errors.New("the value is not sealed")
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(v, textPrefix))
	if err != nil {
		return "", err
	}
	pt, err := s.Open(raw, []byte(ad))
	return string(pt), err
}

// IsSealed reports whether v came from SealString.
func IsSealed(v string) bool { return strings.HasPrefix(v, textPrefix) }

// Derive returns a 32-byte value derived from the key and a label: a stable
// secret per purpose (an environment's seed) without storing one.
func (s *Sealer) Derive(label string) []byte {
	m := hmac.New(sha256.New, s.derive)
	m.Write([]byte("paved derive\x00"))
	m.Write([]byte(label))
	return m.Sum(nil)
}

// LoadKeys returns the keys from env (PAVED_SECRET_KEY) when set, else
// from the key file, generating it (mode 0600) when missing. Either holds
// the base64 of 32 bytes, followed after a comma by the derivation key once
// the key was rotated ("KEY,DERIVE"). A key file's rotation under way
// (KEYFILE.old, see Rotate) adds the key it replaces to Old; with env, oldEnv
// (PAVED_OLD_SECRET_KEY) does.
func LoadKeys(env, oldEnv, keyFile string) (Keys, error) {
	if env != "" {
		k, err := parseKeys(env)
		if err != nil {
			return k, fmt.Errorf("PAVED_SECRET_KEY: %v (openssl rand -base64 32)", err)
		}
		if oldEnv != "" {
			o, err := parseKeys(oldEnv)
			if err != nil {
				return k, fmt.Errorf("PAVED_OLD_SECRET_KEY: %v", err)
			}
			k.Old = [][]byte{o.Seal}
		}
		return k, nil
	}
	k, err := readKeyFile(keyFile)
	if errors.Is(err, fs.ErrNotExist) {
		key := make([]byte, KeySize)
		_, _ = rand.Read(key)
		if err := createKeyFile(keyFile, Keys{Seal: key}); err != nil {
			return k, err
		}
		return Keys{Seal: key}, nil
	}
	if err != nil {
		return k, err
	}
	o, err := readKeyFile(keyFile + oldSuffix)
	switch {
	case err == nil && !bytes.Equal(o.Seal, k.Seal):
		k.Old = [][]byte{o.Seal}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return k, err
	}
	return k, nil
}

// parseKeys reads "KEY" or "KEY,DERIVE", each the base64 of 32 bytes.
func parseKeys(v string) (Keys, error) {
	var k Keys
	parts := strings.Split(strings.TrimSpace(v), ",")
	if len(parts) > 2 {
		return k, fmt.Errorf("must be KEY or KEY,DERIVE, not %d values", len(parts))
	}
	for i, p := range parts {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(p))
		if err != nil || len(b) != KeySize {
			return k, fmt.Errorf("must be the base64 of %d random bytes (value %d)", KeySize, i+1)
		}
		if i == 0 {
			k.Seal = b
		} else {
			k.Derive = b
		}
	}
	return k, nil
}

func formatKeys(k Keys) string {
	s := base64.StdEncoding.EncodeToString(k.Seal)
	if k.Derive != nil && !bytes.Equal(k.Derive, k.Seal) {
		s += "," + base64.StdEncoding.EncodeToString(k.Derive)
	}
	return s + "\n"
}

func readKeyFile(path string) (Keys, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Keys{}, err
	}
	k, err := parseKeys(string(data))
	if err != nil {
		return k, fmt.Errorf("key file %s: %v", path, err)
	}
	if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return k, fmt.Errorf("key file %s is readable by others (mode %v); chmod 600 it", path, st.Mode().Perm())
	}
	return k, nil
}

// createKeyFile writes a key file that must not exist yet.
func createKeyFile(path string, k Keys) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("creating key file %s: %w", path, err)
	}
	if _, err := f.WriteString(formatKeys(k)); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// IsSealed reports whether v is a value SealString made (paved.Sealer).
func (s *Sealer) IsSealed(v string) bool { return IsSealed(v) }
