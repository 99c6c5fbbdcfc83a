package record

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"

	"paved.dev/paved"
)

// LatestMigration returns the highest version of the migrations (files
// named NNNN_name.sql) matching glob in fsys: the schema this paved writes.
func LatestMigration(fsys fs.FS, glob string) (int, error) {
	names, err := fs.Glob(fsys, glob)
	if err != nil {
		return 0, err
	}
	latest := 0
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
		if err != nil {
			return 0, fmt.Errorf("migration %s: name must start with a number", path.Base(name))
		}
		latest = max(latest, v)
	}
	return latest, nil
}

// SameSchema refuses a store at another schema than this paved's, for
// commands that use a store without migrating it.
func SameSchema(have, want int) error {
	switch {
	case have == want:
		return nil
	case have < want:
		return paved.Errorf(paved.EUNAVAILABLE, "the store is at schema %d and this paved uses schema %d: start the server of this version once (it migrates the store), or use the paved the server runs", have, want)
	}
	return paved.Errorf(paved.EUNAVAILABLE, "the store is at schema %d, newer than this paved's %d: use the paved the server runs", have, want)
}
