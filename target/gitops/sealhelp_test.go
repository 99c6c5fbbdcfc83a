package gitops

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

func pemCert(der []byte) []byte { return pemBlock("CERTIFICATE", der) }

// selfSigned returns a PEM certificate for the key pair.
func selfSigned(t *testing.T, pub, priv any) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	return pemCert(der)
}

func ecdsaCert(t *testing.T) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return selfSigned(t, &key.PublicKey, key)
}

func weakCert(t *testing.T) []byte {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	return selfSigned(t, &key.PublicKey, key)
}

// grepRepository calls check with every file under dir (work tree and Git
// directory, byte for byte), every blob in the object store, decompressed,
// and every commit message.
func grepRepository(t *testing.T, dir string, check func(where string, data []byte)) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		check(path, data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := repo.BlobObjects()
	if err != nil {
		t.Fatal(err)
	}
	nblobs := 0
	err = blobs.ForEach(func(b *object.Blob) error {
		r, err := b.Reader()
		if err != nil {
			return err
		}
		defer r.Close()
		data, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		nblobs++
		check("blob "+b.Hash.String(), data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := repo.CommitObjects()
	if err != nil {
		t.Fatal(err)
	}
	cs.ForEach(func(c *object.Commit) error {
		check("commit "+c.Hash.String(), []byte(c.Message))
		return nil
	})
	if files == 0 || nblobs == 0 {
		t.Fatalf("searched %d files and %d blobs: nothing to search", files, nblobs)
	}
}
