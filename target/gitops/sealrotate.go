package gitops

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// RetiredDir is where RotateSealingKey keeps replaced key pairs, in the
// sealing key's directory.
const RetiredDir = "retired"

// RotateSealingKey replaces the local sealing key pair in dir (the one
// LoadOrCreateSealingKey made) with a new one and returns the new
// certificate. The old pair is kept in dir/retired/, named by when it was
// retired: SealedSecrets already committed (the repository's history, and
// every environment until its next deployment) were sealed with it, and a
// sealed-secrets controller needs its private key to open them. Each
// environment's next deployment seals its every Secret again with the new
// certificate (a SealedSecret names the certificate it was sealed with).
//
// The key moves before the certificate: interrupted between the two, the
// old certificate (whose key is retired, not lost) still counts, and
// running it again finishes the rotation.
func RotateSealingKey(dir string) ([]byte, error) {
	return rotateSealingKey(dir, sealingKeyBits, time.Now())
}

func rotateSealingKey(dir string, bits int, now time.Time) ([]byte, error) {
	certPath := filepath.Join(dir, SealingCertFile)
	if _, err := os.Stat(certPath); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("sealing key: %s holds no sealing certificate (%s) to rotate", dir, SealingCertFile)
		}
		return nil, fmt.Errorf("sealing key: %w", err)
	}
	retired := filepath.Join(dir, RetiredDir)
	if err := os.MkdirAll(retired, 0o700); err != nil {
		return nil, fmt.Errorf("sealing key: %w", err)
	}
	stamp := now.UTC().Format("20060102T150405.000000000Z")
	for _, name := range []string{SealingKeyFile, SealingCertFile} {
		err := os.Rename(filepath.Join(dir, name), filepath.Join(retired, stamp+"-"+name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("sealing key: retiring %s: %w", name, err)
		}
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return loadOrCreateSealingKey(dir, bits, now)
}
