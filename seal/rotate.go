package seal

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// oldSuffix names the file that keeps the replaced key while a rotation is
// under way: KEYFILE.old.
const oldSuffix = ".old"

// Rotate starts, or resumes, the rotation of a key file's key: it keeps the
// current key in KEYFILE.old (written, synced, before anything else), then
// replaces KEYFILE, atomically, with a new random key and the derivation
// key of the old one (so that environments' seeds and what else derives
// from the key stay the same). It returns the old keys and the new ones.
//
// When KEYFILE.old already exists a rotation was under way: it is resumed
// with the keys as they are (a crash between the two writes is finished).
// Until Finish removes KEYFILE.old, a server started on the data dir opens
// values sealed with either key.
func Rotate(keyFile string) (old, cur Keys, err error) {
	cur, err = readKeyFile(keyFile)
	if err != nil {
		return old, cur, err
	}
	old, err = readKeyFile(keyFile + oldSuffix)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		old = cur
		if err := createKeyFile(keyFile+oldSuffix, old); err != nil {
			return old, cur, err
		}
	case err != nil:
		return old, cur, err
	case !bytes.Equal(old.Seal, cur.Seal):
		return old, cur, nil // resumed: both writes were made
	}
	next := Keys{Seal: make([]byte, KeySize), Derive: old.Derive}
	if next.Derive == nil {
		next.Derive = old.Seal
	}
	_, _ = rand.Read(next.Seal)
	if err := replaceKeyFile(keyFile, next); err != nil {
		return old, cur, err
	}
	return old, next, nil
}

// Finish ends a rotation: KEYFILE.old is removed. Call it only once every
// value sealed with the old key was sealed again.
func Finish(keyFile string) error {
	err := os.Remove(keyFile + oldSuffix)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// replaceKeyFile writes k aside, synced, and renames it over path.
func replaceKeyFile(path string, k Keys) error {
	tmp := path + ".new"
	_ = os.Remove(tmp)
	if err := createKeyFile(tmp, k); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replacing key file %s: %w", path, err)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
