package server

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5"

	"paved.dev/paved"
	"paved.dev/paved/store/sqlite"
)

// What a backup archive holds: the store, and the local GitOps repository
// of the embedded default (a clone, with its history).
const (
	backupStore = "paved.db"
	backupGit   = "gitops"
	// maxRestore bounds what a restore writes, against an archive that
	// expands without end.
	maxRestore = 64 << 30
)

// backupFunc is the platform's Config.Backup for a store: SQLite only
// (PostgreSQL is backed up with pg_dump), with the data dir's GitOps
// repository unless the server pushes to a remote one.
func backupFunc(cfg Config, st paved.Store) func(context.Context, io.Writer) error {
	db, ok := st.(*sqlite.DB)
	if !ok {
		return nil
	}
	repo := ""
	if cfg.GitURL == "" {
		repo = filepath.Join(cfg.DataDir, "gitops")
	}
	return func(ctx context.Context, w io.Writer) error {
		return writeBackup(ctx, db, repo, cfg.DataDir, w)
	}
}

// writeBackup copies the store (VACUUM INTO, while the server keeps
// serving) and clones the GitOps repository (what is committed: refs are
// read before the objects they name) into a scratch directory of the data
// dir, then writes them to w as a gzip-compressed tar.
func writeBackup(ctx context.Context, db *sqlite.DB, repo, dataDir string, w io.Writer) error {
	scratch, err := os.MkdirTemp(dataDir, "backup-")
	if err != nil {
		return fmt.Errorf("backup: scratch directory: %w", err)
	}
	defer os.RemoveAll(scratch)
	if err := db.Backup(ctx, filepath.Join(scratch, backupStore)); err != nil {
		return err
	}
	if repo != "" {
		if _, err := os.Stat(filepath.Join(repo, ".git")); err == nil {
			clone, err := git.PlainCloneContext(ctx, filepath.Join(scratch, backupGit), false, &git.CloneOptions{URL: repo})
			if err != nil && !errors.Is(err, git.ErrRepositoryNotExists) {
				return fmt.Errorf("backup: cloning the GitOps repository: %w", err)
			}
			if clone != nil {
				// The restored repository is the target itself, not a
				// clone of the old one.
				_ = clone.DeleteRemote(git.DefaultRemoteName)
			}
		}
	}
	zw := gzip.NewWriter(w)
	tw := tar.NewWriter(zw)
	if err := tw.AddFS(os.DirFS(scratch)); err != nil {
		return fmt.Errorf("backup: writing the archive: %w", err)
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("backup: writing the archive: %w", err)
	}
	return zw.Close()
}

// CheckBackup reads a backup archive to its end, as paved backup does
// before it keeps a download: it must be whole and hold a store.
func CheckBackup(r io.Reader) error {
	return readBackup(r, func(string, *tar.Header, io.Reader) error { return nil })
}

// readBackup calls f for each entry of an archive, its name checked: a
// relative path under paved.db or gitops/, a file or a directory.
func readBackup(r io.Reader, f func(name string, h *tar.Header, r io.Reader) error) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return paved.Errorf(paved.EINVALID, "backup: not a paved backup (gzip): %v", err)
	}
	tr := tar.NewReader(zr)
	store := false
	var total int64
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return paved.Errorf(paved.EINVALID, "backup: the archive is damaged or cut short: %v", err)
		}
		name := path.Clean(h.Name)
		if !fs.ValidPath(name) || name != strings.TrimSuffix(h.Name, "/") || (name != backupStore && name != backupGit && !strings.HasPrefix(name, backupGit+"/")) {
			return paved.Errorf(paved.EINVALID, "backup: entry %q is not part of a paved backup (paved.db and gitops/ only)", h.Name)
		}
		switch h.Typeflag {
		case tar.TypeReg, tar.TypeDir:
		default:
			return paved.Errorf(paved.EINVALID, "backup: entry %q is neither a file nor a directory", h.Name)
		}
		if total += h.Size; total > maxRestore {
			return paved.Errorf(paved.EINVALID, "backup: the archive holds more than %d GiB", maxRestore>>30)
		}
		store = store || name == backupStore && h.Typeflag == tar.TypeReg
		if err := f(name, h, tr); err != nil {
			return err
		}
	}
	if err := zr.Close(); err != nil {
		return paved.Errorf(paved.EINVALID, "backup: the archive is damaged: %v", err)
	}
	if !store {
		return paved.Errorf(paved.EINVALID, "backup: the archive holds no store (paved.db)")
	}
	return nil
}

// RestoreReason is the error of deployments that were queued or running
// when the backup was taken: their server is not the restored one.
const RestoreReason = "it was queued or running when the backup it was restored from was taken; deploy again"

// Restore writes a backup archive into a new data directory: the store and
// the GitOps repository. dir must not hold a store already. Deployments
// unfinished in the backup are failed, saying so. The secret key and the
// GitOps sealing key pair are not in a backup: copy them (secret.key,
// sealing/) from the old data dir, or give PAVED_SECRET_KEY, before starting
// a server on dir.
func Restore(ctx context.Context, dir string, archive io.Reader) (restored int, err error) {
	if dir == "" {
		return 0, paved.Errorf(paved.EINVALID, "data dir: give the directory to restore into (--data-dir)")
	}
	if _, err := os.Stat(filepath.Join(dir, backupStore)); err == nil {
		return 0, paved.Errorf(paved.ECONFLICT, "data dir %s holds a store already: restore into a new, empty directory", dir)
	}
	if entries, err := os.ReadDir(filepath.Join(dir, backupGit)); err == nil && len(entries) > 0 {
		return 0, paved.Errorf(paved.ECONFLICT, "data dir %s holds a GitOps repository already: restore into a new, empty directory", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, paved.Errorf(paved.EINVALID, "data dir %s: %v", dir, err)
	}
	// Written under a scratch name, moved in place once whole: a restore
	// that fails leaves no half store behind.
	scratch, err := os.MkdirTemp(dir, "restore-")
	if err != nil {
		return 0, paved.Errorf(paved.EINVALID, "data dir %s: %v", dir, err)
	}
	defer os.RemoveAll(scratch)
	err = readBackup(archive, func(name string, h *tar.Header, r io.Reader) error {
		p := filepath.Join(scratch, filepath.FromSlash(name))
		if h.Typeflag == tar.TypeDir {
			return os.MkdirAll(p, 0o700)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return err
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		if _, err := io.CopyN(f, r, h.Size); err != nil {
			f.Close()
			return paved.Errorf(paved.EINVALID, "backup: entry %s is cut short: %v", name, err)
		}
		// On disk before the restore says it is done.
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	if err != nil {
		return 0, err
	}
	if err := defuseGitConfig(filepath.Join(scratch, backupGit, ".git")); err != nil {
		return 0, err
	}
	// Opened as a server would: a backup of an older paved is migrated.
	db, err := sqlite.Open(filepath.Join(scratch, backupStore))
	if err != nil {
		return 0, paved.Errorf(paved.EINVALID, "backup: its paved.db cannot be opened as a paved store: %v", err)
	}
	now := time.Now().UTC()
	failed, err := db.FailOrphaned(ctx, now.Add(time.Hour), "", RestoreReason, now)
	if err == nil {
		// Their holders are not the restored server: nothing waits for
		// them to expire.
		err = db.ClearLeases(ctx)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	// SQLite folds its write-ahead log into the file at close: a scratch
	// store with one left would lose it when only paved.db is moved.
	for _, f := range []string{backupStore + "-wal", backupStore + "-journal"} {
		if _, err := os.Lstat(filepath.Join(scratch, f)); err == nil {
			return 0, fmt.Errorf("restore: the restored store left %s behind after it was closed; nothing was moved into %s", f, dir)
		}
	}
	if err := syncDirs(scratch); err != nil {
		return 0, err
	}
	restoreBeforeMove(dir)
	if err := moveRestored(scratch, dir); err != nil {
		return 0, err
	}
	return len(failed), nil
}

// restoreBeforeMove runs between the checks and the move in place (tests
// make a store appear there).
var restoreBeforeMove = func(dir string) {}

// moveRestored moves the restored repository and store from scratch into
// dir without ever replacing what is there: the checks at the start of
// Restore were made a while ago, and a server or another restore may have
// written a store since. The repository is renamed (rename(2) replaces
// only an empty directory); the store is hard-linked (link(2) never
// replaces a file), then the directory is synced.
func moveRestored(scratch, dir string) error {
	conflict := func(what string) error {
		return paved.Errorf(paved.ECONFLICT, "data dir %s: a %s appeared there while the backup was being restored (a server or another restore?); nothing of it was replaced; restore into a new, empty directory", dir, what)
	}
	git := filepath.Join(scratch, backupGit)
	_, err := os.Stat(git)
	hasGit := err == nil
	if hasGit {
		if err := os.Rename(git, filepath.Join(dir, backupGit)); err != nil {
			if errors.Is(err, fs.ErrExist) || errors.Is(err, syscall.ENOTEMPTY) {
				return conflict("GitOps repository")
			}
			return fmt.Errorf("restore: %w", err)
		}
	}
	for _, f := range []string{backupStore + "-wal", backupStore + "-shm", backupStore + "-journal"} {
		if _, err := os.Lstat(filepath.Join(dir, f)); err == nil {
			return undoGit(hasGit, scratch, dir, conflict("store ("+f+")"))
		}
	}
	if err := os.Link(filepath.Join(scratch, backupStore), filepath.Join(dir, backupStore)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return undoGit(hasGit, scratch, dir, conflict("store"))
		}
		return undoGit(hasGit, scratch, dir, fmt.Errorf("restore: %w", err))
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("restore: syncing %s: %w", dir, err)
	}
	return nil
}

// undoGit moves the restored repository back to scratch (to be removed
// with it) when the store could not be moved in place; err is why, to
// which a failure to move it back is added.
func undoGit(hasGit bool, scratch, dir string, err error) error {
	if !hasGit {
		return err
	}
	if uerr := os.Rename(filepath.Join(dir, backupGit), filepath.Join(scratch, backupGit)); uerr != nil {
		return fmt.Errorf("%w; and the restored repository could not be taken back out of %s (remove %s by hand): %v", err, dir, filepath.Join(dir, backupGit), uerr)
	}
	return err
}

// syncDirs syncs every directory under root, so that the files written in
// them are found after a crash.
func syncDirs(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("restore: %w", err)
		}
		defer f.Close()
		if err := f.Sync(); err != nil {
			return fmt.Errorf("restore: syncing %s: %w", path, err)
		}
		return nil
	})
}

// gitRunsPrograms are the Git settings (sections, or section.key) that
// make git run a program: an archive from elsewhere must not bring them,
// since the git command line honours a repository's own config.
var gitRunsPrograms = []string{"alias", "filter", "credential", "include", "includeif", "diff", "merge",
	"core.fsmonitor", "core.hookspath", "core.sshcommand", "core.askpass", "core.gitproxy", "core.editor", "core.pager",
	"gpg.program", "sequence.editor"}

// defuseGitConfig removes from a restored repository's config every
// setting that makes git run a program, and its hooks.
func defuseGitConfig(gitDir string) error {
	if err := os.RemoveAll(filepath.Join(gitDir, "hooks")); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	path := filepath.Join(gitDir, "config")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	var out []string
	section, drop := "", false
	for _, line := range strings.Split(string(data), "\n") {
		t := strings.ToLower(strings.TrimSpace(line))
		if strings.HasPrefix(t, "[") {
			name, _, _ := strings.Cut(strings.Trim(t, "[]"), " ")
			section, drop = name, slices.Contains(gitRunsPrograms, name)
			if !drop {
				out = append(out, line)
			}
			continue
		}
		key, _, _ := strings.Cut(t, "=")
		if drop || slices.Contains(gitRunsPrograms, section+"."+strings.TrimSpace(key)) {
			continue
		}
		out = append(out, line)
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")), 0o600); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}
