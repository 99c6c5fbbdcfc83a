package gitops

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// syncWorktree makes the checkout of a local repository follow a commit
// that wrote and removed the given files of dir (all of dir for nil
// content), with the index in step, so that `git status` there stays clean.
// Only those files are touched: a file someone edited in the checkout
// stays edited, which git status then shows.
func (t *Target) syncWorktree(dir string, content map[string][]byte, written []string, removed []object.TreeEntry) error {
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
		for _, e := range removed {
			if err := os.RemoveAll(filepath.Join(abs, e.Name)); err != nil {
				return err
			}
		}
		for _, name := range written {
			if err := os.WriteFile(filepath.Join(abs, name), content[name], 0o644); err != nil {
				return err
			}
		}
	}

	idx, err := t.repo.Storer.Index()
	if err != nil {
		return err
	}
	prefix := dir + "/"
	gone := make(map[string]bool, len(removed)+len(written))
	for _, e := range removed {
		gone[prefix+e.Name] = true
	}
	for _, name := range written {
		gone[prefix+name] = true
	}
	idx.Entries = slices.DeleteFunc(idx.Entries, func(e *index.Entry) bool {
		return gone[e.Name] || content == nil && strings.HasPrefix(e.Name, prefix)
	})
	for _, name := range written {
		fi, err := os.Lstat(filepath.Join(abs, name))
		if err != nil {
			return err
		}
		e := &index.Entry{
			Name:       prefix + name,
			Hash:       plumbing.ComputeHash(plumbing.BlobObject, content[name]),
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
