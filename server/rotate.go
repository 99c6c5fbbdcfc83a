package server

import (
	"context"
	"path/filepath"

	"paved.dev/paved"
	"paved.dev/paved/platform"
	"paved.dev/paved/seal"
	"paved.dev/paved/target/gitops"
)

// keyFile is the secret key's file in the data dir.
func keyFile(cfg Config) string { return filepath.Join(cfg.DataDir, "secret.key") }

// Rotation is what RotateKeys did.
type Rotation struct {
	// KeyFile is the key file that holds the new key ("" with
	// PAVED_SECRET_KEY).
	KeyFile string
	Counts  map[paved.SealedKind]platform.ResealCount
}

// RotateKeys rotates the secret key that seals what the store keeps, on the
// server's host with every server of the store stopped: with the key file
// (secret.key) it keeps the old key in secret.key.old, writes a new key,
// seals every sealed value of the store again with it (platform.Reseal),
// checks that the new key alone opens every one, and only then removes
// secret.key.old. Interrupted, it is resumed by running it again (a server
// started meanwhile opens values sealed with either key). With
// PAVED_SECRET_KEY the operator makes the new key: cfg.SecretKey is
// "NEW,DERIVE" (DERIVE: the old key, or its own DERIVE if it had one) and
// cfg.OldSecretKey the old key; the store is sealed again the same way.
// What derives from the key (environments' seeds, so generated passwords,
// and the GitOps repository's MAC key) stays the same.
func RotateKeys(ctx context.Context, cfg Config) (*Rotation, error) {
	if cfg.Database == "" && cfg.DataDir == "" {
		return nil, paved.Errorf(paved.EINVALID, "data dir: give the --data-dir (or --database) the server runs with")
	}
	// The store first: a data dir without one has nothing to rotate.
	st, err := openStore(ctx, cfg, true)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var old, cur seal.Keys
	rot := &Rotation{}
	if cfg.SecretKey != "" {
		if cfg.OldSecretKey == "" {
			return nil, paved.Errorf(paved.EINVALID, "PAVED_OLD_SECRET_KEY: give the key being replaced, and the new one in PAVED_SECRET_KEY as NEW,DERIVE (DERIVE: the old key)")
		}
		k, err := seal.LoadKeys(cfg.SecretKey, cfg.OldSecretKey, "")
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "secret key: %w", err)
		}
		if k.Derive == nil {
			return nil, paved.Errorf(paved.EINVALID, "PAVED_SECRET_KEY: give NEW,DERIVE, DERIVE being the old key (or its DERIVE): generated secrets derive from it and must not change")
		}
		cur, old = seal.Keys{Seal: k.Seal, Derive: k.Derive}, seal.Keys{Seal: k.Old[0]}
	} else {
		rot.KeyFile = keyFile(cfg)
		if old, cur, err = seal.Rotate(rot.KeyFile); err != nil {
			return nil, paved.Errorf(paved.EINVALID, "secret key: %w", err)
		}
	}
	from, err := seal.New(old.Seal)
	if err != nil {
		return nil, err
	}
	to, err := seal.NewKeys(cur)
	if err != nil {
		return nil, err
	}
	if rot.Counts, err = platform.Reseal(ctx, st, from, to); err != nil {
		return rot, err
	}
	// Every value must open with the new key alone before the old one goes.
	check, err := platform.CheckSealed(ctx, st, to)
	if err != nil {
		return rot, err
	}
	for _, k := range paved.SealedKinds {
		if n := check[k].Other; n > 0 {
			return rot, paved.Errorf(paved.EUNAVAILABLE, "after sealing again, %d %s hold values the new key does not open: a server still running with the old key? stop every server and run rotate-keys again (the old key is kept until it succeeds)", n, k)
		}
	}
	if rot.KeyFile != "" {
		if err := seal.Finish(rot.KeyFile); err != nil {
			return rot, err
		}
	}
	return rot, nil
}

// RotateSealingKey replaces the local key pair that seals the GitOps
// repository's Secrets (sealing/ in the data dir; gitops.RotateSealingKey),
// keeping the old pair in sealing/retired/. Each environment's next
// deployment seals its Secrets again with the new certificate. With
// --sealing-cert the key is the clusters' sealed-secrets controller's: it
// is rotated there (the controller renews its key itself), and the server
// given the new certificate.
func RotateSealingKey(cfg Config) ([]byte, error) {
	if cfg.SealingCert != "" {
		return nil, paved.Errorf(paved.EINVALID, "--sealing-key: the server seals with the certificate of --sealing-cert, whose key is the clusters' sealed-secrets controller's: rotate it there, fetch its new certificate (kubeseal --fetch-cert > cert.pem) and restart the servers with it; each environment's next deployment seals its Secrets again")
	}
	if cfg.DataDir == "" {
		return nil, paved.Errorf(paved.EINVALID, "data dir: give the --data-dir the server runs with")
	}
	dir := filepath.Join(cfg.DataDir, "sealing")
	cert, err := gitops.RotateSealingKey(dir)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s", paved.ErrorMessage(err))
	}
	return cert, nil
}
