package gitops

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	sscrypto "github.com/bitnami-labs/sealed-secrets/pkg/crypto"

	"paved.dev/paved"
)

// TestLoadOrCreateSealingKey makes the real 4096-bit pair once and seals
// with it end to end.
func TestLoadOrCreateSealingKey(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "sealing")
	certPEM, err := LoadOrCreateSealingKey(dir)
	if err != nil {
		t.Fatal(err)
	}
	key := readTestKey(t, dir)
	if bits := key.N.BitLen(); bits != 4096 {
		t.Errorf("key has %d bits, want 4096", bits)
	}
	fi, err := os.Stat(filepath.Join(dir, SealingKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	cert, err := parseSealingCert(certPEM, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if !key.PublicKey.Equal(cert.pub) {
		t.Errorf("the certificate is not the key's")
	}
	if years := time.Until(cert.notAfter).Hours() / 24 / 365; years < 9.9 {
		t.Errorf("certificate valid %.1f years, want 10", years)
	}
	again, err := LoadOrCreateSealingKey(dir)
	if err != nil || string(again) != string(certPEM) {
		t.Errorf("second call: %v, same certificate %v", err, string(again) == string(certPEM))
	}

	// What paved seals with it, a controller holding the key unseals.
	tg := newLocal(t, Config{SealingCert: certPEM, SealingHashKey: testHashKey})
	dc := paved.DeployContext{App: "shop", Env: "dev"}
	apply(t, tg, dc, "d-1", workloadObjects("shop-dev", "web", "web:1"))
	ss, _ := readSealed(t, tg, dc, "sealedsecret-web.yaml")
	fp, _ := sscrypto.PublicKeyFingerprint(&key.PublicKey)
	if got := unseal(t, testKey{key: key, fp: fp}, ss, "shop-dev/web"); got["password"] != "s3cret-web" {
		t.Errorf("unsealed %q", got)
	}
}

func readTestKey(t *testing.T, dir string) *rsa.PrivateKey {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, SealingKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "RSA PRIVATE KEY" {
		t.Fatalf("key file is not an RSA PRIVATE KEY PEM block")
	}
	key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func TestSealingKeyFiles(t *testing.T) {
	t.Parallel()
	other := newTestKey(t)
	const bits = 2048
	for _, tc := range []struct {
		name string
		// prepare changes the files of a pair just made.
		prepare func(t *testing.T, dir string)
		want    string // error; "" for none
		// sameKey: the certificate returned is for the pair's key.
		sameKey bool
	}{
		{"unchanged", func(*testing.T, string) {}, "", true},
		{"certificate lost", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, SealingCertFile)) }, "", true},
		{"key moved to the cluster", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, SealingKeyFile)) }, "", true},
		{"key readable by others", func(t *testing.T, dir string) { os.Chmod(filepath.Join(dir, SealingKeyFile), 0o644) }, "", true},
		{"certificate of another key", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, SealingCertFile), other.certPEM, 0o644)
		}, "sealed-secrets.crt is not the certificate of sealed-secrets.key", false},
		{"key not PEM", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, SealingKeyFile), []byte("junk"), 0o600)
		}, "sealed-secrets.key is not PEM", false},
		{"key in PKCS #8", func(t *testing.T, dir string) {
			der, err := x509.MarshalPKCS8PrivateKey(readTestKey(t, dir))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, SealingKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
		}, "", true},
		{"ECDSA key", func(t *testing.T, dir string) {
			ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			der, err := x509.MarshalECPrivateKey(ec)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, SealingKeyFile), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
		}, "sealed-secrets.key holds a private key that is not RSA", false},
		{"certificate in the key file", func(t *testing.T, dir string) {
			data, _ := os.ReadFile(filepath.Join(dir, SealingCertFile))
			os.WriteFile(filepath.Join(dir, SealingKeyFile), data, 0o600)
		}, "sealed-secrets.key: data does not contain a valid RSA or ECDSA private key", false},
		{"certificate expired", func(t *testing.T, dir string) {
			key := readTestKey(t, dir)
			old, err := sscrypto.SignKeyWithNotBefore(rand.Reader, key, time.Now().Add(-48*time.Hour), time.Hour, "old")
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, SealingCertFile), pemCert(old.Raw), 0o644)
		}, "the certificate expired on", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "sealing")
			if _, err := loadOrCreateSealingKey(dir, bits, time.Now()); err != nil {
				t.Fatal(err)
			}
			key := readTestKey(t, dir)
			tc.prepare(t, dir)
			certPEM, err := loadOrCreateSealingKey(dir, bits, time.Now())
			if tc.want != "" {
				if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "remove") {
					t.Errorf("err = %v, want invalid containing %q and the fix", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cert, err := parseSealingCert(certPEM, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if got := key.PublicKey.Equal(cert.pub); got != tc.sameKey {
				t.Errorf("certificate for the same key = %v, want %v", got, tc.sameKey)
			}
			if fi, err := os.Stat(filepath.Join(dir, SealingKeyFile)); err == nil && fi.Mode().Perm() != 0o600 {
				t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
			}
			if onDisk, _ := os.ReadFile(filepath.Join(dir, SealingCertFile)); string(onDisk) != string(certPEM) {
				t.Errorf("returned certificate is not the one on disk")
			}
		})
	}
}

// TestSealingKeyConcurrentStart has several processes (here goroutines)
// start on an empty directory at once: they must all end up with one pair.
func TestSealingKeyConcurrentStart(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "sealing")
	const n = 4
	certs := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { certs[i], errs[i] = loadOrCreateSealingKey(dir, 2048, time.Now()) })
	}
	wg.Wait()
	onDisk, _ := os.ReadFile(filepath.Join(dir, SealingCertFile))
	key := readTestKey(t, dir)
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("call %d: %v", i, errs[i])
		}
		if string(certs[i]) != string(onDisk) {
			t.Errorf("call %d returned another certificate than the one on disk", i)
		}
	}
	if cert, err := parseSealingCert(onDisk, time.Now()); err != nil || !key.PublicKey.Equal(cert.pub) {
		t.Errorf("the certificate on disk is not the key's: %v", err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
}

// TestSealingKeyWithoutHardLinks: on a filesystem without hard links the
// pair is still made, complete, with the same modes, and never replaced.
// Not parallel: it replaces link.
func TestSealingKeyWithoutHardLinks(t *testing.T) {
	defer func(l func(string, string) error) { link = l }(link)
	link = func(oldname, newname string) error {
		return &os.LinkError{Op: "link", Old: oldname, New: newname, Err: syscall.EPERM}
	}
	dir := filepath.Join(t.TempDir(), "sealing")
	certPEM, err := loadOrCreateSealingKey(dir, 2048, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	key := readTestKey(t, dir)
	if cert, err := parseSealingCert(certPEM, time.Now()); err != nil || !key.PublicKey.Equal(cert.pub) {
		t.Errorf("the certificate is not the key's: %v", err)
	}
	for name, want := range map[string]os.FileMode{SealingKeyFile: 0o600, SealingCertFile: 0o644} {
		if fi, err := os.Stat(filepath.Join(dir, name)); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v; want mode %v", name, err, want)
		}
	}
	if again, err := loadOrCreateSealingKey(dir, 2048, time.Now()); err != nil || string(again) != string(certPEM) {
		t.Errorf("second call: %v, same certificate %v", err, string(again) == string(certPEM))
	}
	if won, err := createFile(filepath.Join(dir, SealingKeyFile), []byte("x"), 0o600); won || err != nil {
		t.Errorf("createFile over the key = %v, %v; want false, nil", won, err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	if got := readTestKey(t, dir); !got.Equal(key) {
		t.Error("the key was replaced")
	}
}
