package gitops

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
)

// syncWorktree makes the checkout of a local repository show dir as
// committed, with the index in step, so that `git status` there stays clean.
// Only dir is touched: files are rewritten when their bytes differ.
func (t *Target) syncWorktree(dir string, content map[string][]byte) error {
	if t.worktree == "" {
		return nil
	}
	abs := t.worktreePath(dir)
	if content == nil {
		if err := os.RemoveAll(abs); err != nil {
			return err
		}
		// Drop the environment directory too once its last app is gone.
		_ = os.Remove(filepath.Dir(abs))
	} else {
		if err := os.MkdirAll(abs, 0o755); err != nil {
			return err
		}
		existing, err := os.ReadDir(abs)
		if err != nil {
			return err
		}
		for _, e := range existing {
			if _, ok := content[e.Name()]; !ok {
				if err := os.RemoveAll(filepath.Join(abs, e.Name())); err != nil {
					return err
				}
			}
		}
		for name, data := range content {
			p := filepath.Join(abs, name)
			if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, data) {
				continue
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				return err
			}
		}
	}

	idx, err := t.repo.Storer.Index()
	if err != nil {
		return err
	}
	prefix := dir + "/"
	idx.Entries = slices.DeleteFunc(idx.Entries, func(e *index.Entry) bool { return strings.HasPrefix(e.Name, prefix) })
	for name, data := range content {
		fi, err := os.Lstat(filepath.Join(abs, name))
		if err != nil {
			return err
		}
		e := &index.Entry{
			Name:       prefix + name,
			Hash:       plumbing.ComputeHash(plumbing.BlobObject, data),
			Mode:       filemode.Regular,
			Size:       uint32(fi.Size()),
			ModifiedAt: fi.ModTime(),
		}
		fillStat(e, fi)
		idx.Entries = append(idx.Entries, e)
	}
	slices.SortFunc(idx.Entries, func(a, b *index.Entry) int { return strings.Compare(a.Name, b.Name) })
	// The cached trees of the index would describe the old dir: drop them,
	// git rebuilds them.
	idx.Cache = nil
	return t.repo.Storer.SetIndex(idx)
}
