package gitops

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/memory"
)

// Commits are built from the object store directly rather than through
// go-git's worktree: replacing one <env>/<app> subtree rewrites three tree
// objects and the changed blobs, whatever the size of the repository, where
// worktree status and add hash every file of every environment.

// treeEntries returns the entries of a tree, none for the zero hash.
func treeEntries(s storer.EncodedObjectStorer, h plumbing.Hash) ([]object.TreeEntry, error) {
	if h.IsZero() {
		return nil, nil
	}
	t, err := object.GetTree(s, h)
	if err != nil {
		return nil, fmt.Errorf("reading tree %s: %w", h, err)
	}
	return slices.Clone(t.Entries), nil
}

// subtree returns the hash of the tree at path below root, zero if absent.
func subtree(s storer.EncodedObjectStorer, root plumbing.Hash, path string) (plumbing.Hash, error) {
	h := root
	for _, name := range strings.Split(path, "/") {
		entries, err := treeEntries(s, h)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		h = plumbing.ZeroHash
		for _, e := range entries {
			if e.Name == name && e.Mode == filemode.Dir {
				h = e.Hash
				break
			}
		}
		if h.IsZero() {
			return h, nil
		}
	}
	return h, nil
}

// replaceSubtree returns a root tree equal to root except that path holds
// the tree sub, or nothing when sub is zero. Directories left empty are
// dropped, as Git does; an empty root is kept.
func replaceSubtree(s storer.EncodedObjectStorer, root plumbing.Hash, path []string, sub plumbing.Hash, isRoot bool) (plumbing.Hash, error) {
	if len(path) == 0 {
		return sub, nil
	}
	entries, err := treeEntries(s, root)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	i := slices.IndexFunc(entries, func(e object.TreeEntry) bool { return e.Name == path[0] })
	var child plumbing.Hash
	if i >= 0 && entries[i].Mode == filemode.Dir {
		child = entries[i].Hash
	}
	newChild, err := replaceSubtree(s, child, path[1:], sub, false)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	switch {
	case newChild.IsZero() && i >= 0:
		entries = slices.Delete(entries, i, i+1)
	case newChild.IsZero():
		// nothing to remove
	case i >= 0:
		entries[i] = object.TreeEntry{Name: path[0], Mode: filemode.Dir, Hash: newChild}
	default:
		entries = append(entries, object.TreeEntry{Name: path[0], Mode: filemode.Dir, Hash: newChild})
	}
	if len(entries) == 0 && !isRoot {
		return plumbing.ZeroHash, nil
	}
	return writeTree(s, entries)
}

// writeTree stores a tree, sorting its entries the way Git does: by name,
// with directories compared as if their name ended in "/".
func writeTree(s storer.EncodedObjectStorer, entries []object.TreeEntry) (plumbing.Hash, error) {
	slices.SortFunc(entries, func(a, b object.TreeEntry) int {
		return strings.Compare(sortName(a), sortName(b))
	})
	obj := s.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

func sortName(e object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}

// writeBlob stores data unless the store has it already.
func writeBlob(s storer.EncodedObjectStorer, h plumbing.Hash, data []byte) error {
	if s.HasEncodedObject(h) == nil {
		return nil
	}
	obj := s.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	got, err := s.SetEncodedObject(obj)
	if err != nil {
		return err
	}
	if got != h {
		return fmt.Errorf("blob stored as %s, expected %s", got, h)
	}
	return nil
}

// readBlob returns the content of a blob.
func readBlob(s storer.EncodedObjectStorer, h plumbing.Hash) ([]byte, error) {
	obj, err := s.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", h, err)
	}
	r, err := obj.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var buf bytes.Buffer
	buf.Grow(int(obj.Size()))
	if _, err := io.Copy(&buf, r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// commitTree returns the root tree of a commit, zero for the zero commit.
func commitTree(s storer.EncodedObjectStorer, c plumbing.Hash) (plumbing.Hash, error) {
	if c.IsZero() {
		return plumbing.ZeroHash, nil
	}
	commit, err := object.GetCommit(s, c)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading commit %s: %w", c, err)
	}
	return commit.TreeHash, nil
}

// writeCommit stores a commit of tree on top of parent (zero for a root
// commit).
func writeCommit(s storer.EncodedObjectStorer, tree, parent plumbing.Hash, author, committer object.Signature, msg string) (plumbing.Hash, error) {
	c := &object.Commit{Author: author, Committer: committer, Message: msg, TreeHash: tree}
	if !parent.IsZero() {
		c.ParentHashes = []plumbing.Hash{parent}
	}
	obj := s.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

// packThreshold is the number of new objects from which a commit's objects
// are stored as one packfile rather than one loose file each: creating files
// is what a commit of a new environment mostly costs.
const packThreshold = 32

// batch collects the new objects of one commit in memory, reading through
// to the repository, and stores them together with flush.
type batch struct {
	base  storer.EncodedObjectStorer
	mem   *memory.Storage
	added []plumbing.Hash
}

var _ storer.EncodedObjectStorer = (*batch)(nil)

func newBatch(base storer.EncodedObjectStorer) *batch {
	return &batch{base: base, mem: memory.NewStorage()}
}

func (b *batch) NewEncodedObject() plumbing.EncodedObject { return &plumbing.MemoryObject{} }

func (b *batch) SetEncodedObject(o plumbing.EncodedObject) (plumbing.Hash, error) {
	if b.mem.HasEncodedObject(o.Hash()) == nil {
		return o.Hash(), nil
	}
	h, err := b.mem.SetEncodedObject(o)
	if err == nil {
		b.added = append(b.added, h)
	}
	return h, err
}

func (b *batch) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if o, err := b.mem.EncodedObject(t, h); err == nil {
		return o, nil
	}
	return b.base.EncodedObject(t, h)
}

func (b *batch) HasEncodedObject(h plumbing.Hash) error {
	if b.mem.HasEncodedObject(h) == nil {
		return nil
	}
	return b.base.HasEncodedObject(h)
}

func (b *batch) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	if n, err := b.mem.EncodedObjectSize(h); err == nil {
		return n, nil
	}
	return b.base.EncodedObjectSize(h)
}

func (b *batch) IterEncodedObjects(t plumbing.ObjectType) (storer.EncodedObjectIter, error) {
	return b.base.IterEncodedObjects(t)
}

func (b *batch) AddAlternate(remote string) error { return b.base.AddAlternate(remote) }

// flush stores the collected objects in the repository.
func (b *batch) flush() error {
	defer func() { b.mem, b.added = memory.NewStorage(), nil }()
	if pw, ok := b.base.(storer.PackfileWriter); ok && len(b.added) >= packThreshold {
		w, err := pw.PackfileWriter()
		if err != nil {
			return err
		}
		if _, err := packfile.NewEncoder(w, b.mem, false).Encode(b.added, 0); err != nil {
			w.Close()
			return fmt.Errorf("writing pack: %w", err)
		}
		return w.Close()
	}
	for _, h := range b.added {
		o, err := b.mem.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return err
		}
		if _, err := b.base.SetEncodedObject(o); err != nil {
			return err
		}
	}
	return nil
}
