package gitops

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	sscrypto "github.com/bitnami-labs/sealed-secrets/pkg/crypto"
	"k8s.io/client-go/util/keyutil"

	"paved.dev/paved"
)

// The files of a local sealing key pair, in the directory given to
// LoadOrCreateSealingKey. They are what `kubectl create secret tls` takes.
const (
	SealingKeyFile  = "sealed-secrets.key" // RSA private key, PKCS #1 PEM, mode 0600
	SealingCertFile = "sealed-secrets.crt" // self-signed certificate, PEM
)

// What the sealed-secrets controller uses for the keys it makes itself.
const (
	sealingKeyBits     = 4096
	sealingCertTTL     = 10 * 365 * 24 * time.Hour
	sealingCertCN      = "paved-sealed-secrets"
	sealingKeyFileMode = 0o600
)

// LoadOrCreateSealingKey returns the PEM certificate of the sealing key pair
// kept in dir, creating the pair once (4096-bit RSA and a self-signed
// certificate valid ten years, as the controller makes them) when dir holds
// none. It is for the embedded default, a local repository with no cluster
// yet: the private key can later be installed in a sealed-secrets controller
// as an active key (see docs/targets-gitops.md). dir must be outside the
// GitOps repository: the private key must never be committed.
//
// Once the certificate exists it is what counts: the private key may be
// moved into the cluster and deleted here. A private key left without its
// certificate gets a new certificate for the same key, so SealedSecrets
// already committed stay decryptable.
func LoadOrCreateSealingKey(dir string) ([]byte, error) {
	return loadOrCreateSealingKey(dir, sealingKeyBits, time.Now())
}

func loadOrCreateSealingKey(dir string, bits int, now time.Time) ([]byte, error) {
	keyPath, certPath := filepath.Join(dir, SealingKeyFile), filepath.Join(dir, SealingCertFile)
	invalid := func(format string, args ...any) error {
		return paved.Errorf(paved.EINVALID, "sealing key in %s: %s", dir, fmt.Sprintf(format, args...))
	}

	key, err := readSealingKey(keyPath)
	if err != nil {
		return nil, invalid("%v; remove %s and %s to make a new pair (every Secret is then sealed again)", err, SealingKeyFile, SealingCertFile)
	}
	certPEM, err := os.ReadFile(certPath)
	switch {
	case err == nil:
		cert, err := parseSealingCert(certPEM, now)
		if err != nil {
			return nil, invalid("%s: %v; remove it to sign a new certificate for the key", SealingCertFile, err)
		}
		if key != nil && !key.PublicKey.Equal(cert.pub) {
			return nil, invalid("%s is not the certificate of %s; remove both to make a new pair (every Secret is then sealed again)", SealingCertFile, SealingKeyFile)
		}
		return certPEM, nil
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("sealing key: %w", err)
	}

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sealing key: %w", err)
	}
	if key == nil {
		var cert *x509.Certificate
		if key, cert, err = sscrypto.GeneratePrivateKeyAndCert(bits, sealingCertTTL, sealingCertCN); err != nil {
			return nil, fmt.Errorf("sealing key: generating: %w", err)
		}
		keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
		won, err := createFile(keyPath, keyPEM, sealingKeyFileMode)
		if err != nil {
			return nil, fmt.Errorf("sealing key: %w", err)
		}
		if !won {
			// Another process created the key meanwhile: use its pair.
			return loadOrCreateSealingKey(dir, bits, now)
		}
		return writeSealingCert(certPath, cert)
	}
	cert, err := sscrypto.SignKey(rand.Reader, key, sealingCertTTL, sealingCertCN)
	if err != nil {
		return nil, fmt.Errorf("sealing key: signing a certificate: %w", err)
	}
	return writeSealingCert(certPath, cert)
}

// readSealingKey reads the private key, nil if there is none, and makes
// sure only the owner can read it.
func readSealingKey(path string) (*rsa.PrivateKey, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The open file, not the path: what is checked is what is read.
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&^sealingKeyFileMode != 0 {
		if err := f.Chmod(sealingKeyFileMode); err != nil {
			return nil, fmt.Errorf("%s is readable by others and cannot be made private: %v", SealingKeyFile, err)
		}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	if block, _ := pem.Decode(data); block == nil {
		return nil, fmt.Errorf("%s is not PEM", SealingKeyFile)
	}
	key, err := keyutil.ParsePrivateKeyPEM(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", SealingKeyFile, err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s holds a private key that is not RSA (%T)", SealingKeyFile, key)
	}
	return rk, nil
}

func writeSealingCert(path string, cert *x509.Certificate) ([]byte, error) {
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	won, err := createFile(path, certPEM, 0o644)
	if err != nil {
		return nil, fmt.Errorf("sealing key: %w", err)
	}
	if !won {
		// Signed by another process for the same key: equally good.
		if certPEM, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("sealing key: %w", err)
		}
	}
	return certPEM, nil
}

// createFile writes a complete file at path unless one exists (false, nil
// then): written aside and linked into place, so that a crash leaves no
// half key and two processes starting together do not make two pairs. On
// a filesystem without hard links it creates path exclusively and writes it
// there: still never two pairs, but a crash while writing leaves a partial
// file, and a process starting at that very moment may read one; both are
// reported with the fix (remove the files).
func createFile(path string, data []byte, mode fs.FileMode) (bool, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	if err := writeFile(tmp, data, mode); err != nil {
		return false, err
	}
	err = link(tmp.Name(), path)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrExist):
		return false, nil
	}
	// The directory took the temporary file, so a failed link is a
	// filesystem without hard links (vfat, some network and FUSE ones).
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := writeFile(f, data, mode); err != nil {
		os.Remove(path)
		return false, err
	}
	return true, nil
}

// link is os.Link; tests replace it to play a filesystem without hard links.
var link = os.Link

// writeFile gives f mode and data, synced, and closes it.
func writeFile(f *os.File, data []byte, mode fs.FileMode) error {
	err := f.Chmod(mode) // the umask may have narrowed OpenFile's mode; CreateTemp's is 0600
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
