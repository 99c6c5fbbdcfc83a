// Package seal encrypts secrets at rest with AES-256-GCM: resources' secret
// outputs and driver state, and the values of Secret objects kept in
// deployment snapshots. The key comes from PAVED_SECRET_KEY or a key file
// (mode 0600) generated in the data directory on first start.
package seal

import (
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

// Sealer seals and opens values with one key.
type Sealer struct {
	aead cipher.AEAD
	key  []byte
}

// New returns a Sealer for a 32-byte key.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("the secret key must be %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, key: append([]byte(nil), key...)}, nil
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
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("paved derive\x00"))
	m.Write([]byte(label))
	return m.Sum(nil)
}

// LoadKey returns the key from env (base64 of 32 bytes) when set, else from
// the key file, generating it (mode 0600) when missing.
func LoadKey(envValue, keyFile string) ([]byte, error) {
	if envValue != "" {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(envValue))
		if err != nil || len(key) != KeySize {
			return nil, fmt.Errorf("PAVED_SECRET_KEY must be the base64 of %d random bytes (openssl rand -base64 32)", KeySize)
		}
		return key, nil
	}
	data, err := os.ReadFile(keyFile)
	if err == nil {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
		if err != nil || len(key) != KeySize {
			return nil, fmt.Errorf("key file %s does not hold the base64 of %d bytes", keyFile, KeySize)
		}
		if st, err := os.Stat(keyFile); err == nil && st.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("key file %s is readable by others (mode %v); chmod 600 it", keyFile, st.Mode().Perm())
		}
		return key, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	key := make([]byte, KeySize)
	_, _ = rand.Read(key)
	f, err := os.OpenFile(keyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating key file %s: %w", keyFile, err)
	}
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		return nil, err
	}
	return key, f.Close()
}

// IsSealed reports whether v is a value SealString made (paved.Sealer).
func (s *Sealer) IsSealed(v string) bool { return IsSealed(v) }
