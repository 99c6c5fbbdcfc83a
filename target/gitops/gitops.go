// Package gitops is a paved target that commits rendered objects to a Git
// repository for Argo CD or Flux to sync: one directory per app environment,
// <env>/<app>/<kind>-<name>.yaml, one commit per deployment. It uses go-git,
// so no git binary is needed for local repositories and https or ssh
// remotes.
package gitops

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage"

	"paved.dev/paved"
)

var (
	_ paved.Target       = (*Target)(nil)
	_ paved.TargetProber = (*Target)(nil)
)

const remoteName = "origin"

// Target writes deployments to a Git repository. It is safe for concurrent
// use: commits are serialized by a mutex, so deployments to different
// environments from several goroutines each get their own commit.
type Target struct {
	cfg       Config
	branch    plumbing.ReferenceName
	tracking  plumbing.ReferenceName
	mu        sync.Mutex
	repo      *git.Repository // opened on first use
	now       func() time.Time
	worktree  string // root of the local work tree kept in step, "" for none
	hasRemote bool
	sealer    *sealer // SecretsSealed mode only

	// beforePush lets tests move the remote between commit and push.
	beforePush func()
}

// New returns a target for cfg. It does no I/O: the repository is opened,
// created or cloned on first use, and Probe tells whether that will work.
// The sealing certificate is checked here, so that a bad one stops the
// server at start rather than the first deployment.
func New(cfg Config) (*Target, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	t := &Target{
		cfg:       cfg,
		branch:    plumbing.NewBranchReferenceName(cfg.Branch),
		tracking:  plumbing.NewRemoteReferenceName(remoteName, cfg.Branch),
		now:       time.Now,
		hasRemote: cfg.remote(),
	}
	if cfg.SecretsMode == SecretsSealed {
		if t.sealer, err = newSealer(&cfg, t.now()); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// String names the target without credentials.
func (t *Target) String() string { return "gitops " + t.cfg.name() }

// Apply makes <env>/<app> hold exactly req.Objects (files no longer rendered
// are removed: the directory belongs to paved) in one commit, pushed to the
// remote if there is one. Nothing changed means no commit: the revision is
// the current head.
func (t *Target) Apply(ctx context.Context, req *paved.ApplyRequest) (*paved.ApplyResult, error) {
	dir, err := Dir(req.Context)
	if err != nil {
		return nil, err
	}
	files, skipped, err := render(req.Objects, t.cfg.SecretsMode)
	if err != nil {
		return nil, err
	}
	if t.sealer != nil {
		if err := t.sealer.usable(t.cfg.name(), t.now()); err != nil {
			return nil, err
		}
	}
	var kust []byte
	if !t.cfg.NoKustomization {
		if kust, err = kustomization(files); err != nil {
			return nil, err
		}
	}
	// Sealing needs the files at the commit's base, which a rejected push
	// moves: it is done for each attempt.
	var sealed []paved.ObjectStatus
	build := func(committed func(string) ([]byte, error)) (map[string][]byte, error) {
		if t.sealer != nil {
			var err error
			if sealed, err = t.sealer.sealFiles(files, committed); err != nil {
				return nil, err
			}
		}
		if t.cfg.NoKustomization && len(files) == 0 {
			return nil, nil // Git cannot hold an empty directory
		}
		content := make(map[string][]byte, len(files)+1)
		for _, f := range files {
			content[f.name] = f.data
		}
		if kust != nil {
			content[kustomizationFileName] = kust
		}
		return content, nil
	}

	msg := "deploy " + req.Context.App + "/" + req.Context.Env
	if req.DeploymentID != "" {
		msg += ": " + req.DeploymentID
	}
	msg = withBody(msg, req.Message)

	if req.Intent != nil {
		refs := make([]paved.ObjectRef, len(files))
		for i, f := range files {
			refs[i] = f.ref
		}
		if err := req.Intent(refs); err != nil {
			return nil, err
		}
	}

	t.mu.Lock()
	defer t.mu.Unlock()
	out, err := t.commit(ctx, dir, build, msg, req.Author, req.Log)
	if err != nil {
		return nil, err
	}

	// One status per object asked for: a Secret is reported as sealed (its
	// SealedSecret is what the inventory lists, as Inventory reads it back).
	res := &paved.ApplyResult{Revision: hashString(out.head), Committed: true, Inventory: make([]paved.ObjectRef, 0, len(files))}
	for _, f := range files {
		res.Inventory = append(res.Inventory, f.ref)
		if f.seal == nil {
			res.Statuses = append(res.Statuses, paved.ObjectStatus{Ref: f.ref, State: paved.ObjectCommitted})
		}
	}
	sortRefs(res.Inventory)
	res.Statuses = append(res.Statuses, sealed...)
	res.Statuses = append(res.Statuses, skipped...)
	for _, ref := range out.pruned {
		res.Statuses = append(res.Statuses, paved.ObjectStatus{Ref: ref, State: paved.ObjectPruned})
	}
	sortStatuses(res.Statuses)
	return res, nil
}

// Delete removes <env>/<app> in one commit. inventory is not needed: the
// directory holds everything paved wrote for the environment.
func (t *Target) Delete(ctx context.Context, dc paved.DeployContext, inventory []paved.ObjectRef, message string) error {
	dir, err := Dir(dc)
	if err != nil {
		return err
	}
	msg := withBody("delete "+dc.App+"/"+dc.Env, message)
	t.mu.Lock()
	defer t.mu.Unlock()
	_, err = t.commit(ctx, dir, noFiles, msg, "", nil)
	return err
}

// noFiles is the buildFunc of a directory to remove.
func noFiles(func(string) ([]byte, error)) (map[string][]byte, error) { return nil, nil }

// Files returns the files committed in <env>/<app> at the head of the
// branch, by name (kustomization.yaml included); none if the directory does
// not exist. For a remote, call Refresh first to see commits made elsewhere.
func (t *Target) Files(dc paved.DeployContext) (map[string][]byte, error) {
	dir, err := Dir(dc)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.open(context.Background()); err != nil {
		return nil, err
	}
	entries, err := t.dirEntries(t.head(), dir)
	if err != nil {
		return nil, t.internal("reading "+dir, err)
	}
	files := make(map[string][]byte, len(entries))
	for _, e := range entries {
		if !e.Mode.IsFile() {
			continue
		}
		data, err := readBlob(t.repo.Storer, e.Hash)
		if err != nil {
			return nil, t.internal("reading "+dir+"/"+e.Name, err)
		}
		files[e.Name] = data
	}
	return files, nil
}

// Inventory returns the objects committed in <env>/<app> at the head of the
// branch, sorted.
func (t *Target) Inventory(dc paved.DeployContext) ([]paved.ObjectRef, error) {
	files, err := t.Files(dc)
	if err != nil {
		return nil, err
	}
	refs := make([]paved.ObjectRef, 0, len(files))
	for name, data := range files {
		if name == kustomizationFileName || !strings.HasSuffix(name, ".yaml") {
			continue
		}
		ref, err := decodeRef(data)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "gitops target %s: %s/%s/%s: %v", t.cfg.name(), dc.Env, dc.App, name, err)
		}
		refs = append(refs, ref)
	}
	sortRefs(refs)
	return refs, nil
}

// HeadCommit returns the commit at the head of the branch, "" before the
// first commit.
func (t *Target) HeadCommit() (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.open(context.Background()); err != nil {
		return "", err
	}
	return hashString(t.head()), nil
}

// Refresh fetches the branch from the remote so that Files, Inventory and
// HeadCommit see commits made elsewhere. It does nothing for a local
// repository.
func (t *Target) Refresh(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.open(ctx); err != nil {
		return err
	}
	if !t.hasRemote {
		return nil
	}
	return t.fetch(ctx)
}

type commitOutcome struct {
	head   plumbing.Hash
	pruned []paved.ObjectRef
}

// buildFunc returns what a directory must hold (nothing for nil), given the
// content of its files at the commit's base (nil for a file absent).
type buildFunc func(committed func(name string) ([]byte, error)) (map[string][]byte, error)

// commit makes dir hold exactly what build returns in one commit on top of
// the branch head, and pushes it. The caller holds t.mu.
func (t *Target) commit(ctx context.Context, dir string, build buildFunc, msg, author string, log func(string)) (commitOutcome, error) {
	logf := func(format string, args ...any) {
		m := fmt.Sprintf(format, args...)
		t.cfg.Logger.Debug(m, "target", t.cfg.name(), "dir", dir)
		if log != nil {
			log(m)
		}
	}
	if err := t.open(ctx); err != nil {
		return commitOutcome{}, err
	}
	if t.hasRemote {
		// Another replica may have committed since: build on what the
		// remote has, or a no-op check could compare with a stale tree.
		if err := t.fetch(ctx); err != nil {
			return commitOutcome{}, err
		}
	}
	s := t.repo.Storer
	// New objects are stored together once the commit is built.
	b := newBatch(s)
	when := t.now()
	committer := object.Signature{Name: t.cfg.AuthorName, Email: t.cfg.AuthorEmail, When: when}
	authorSig := signature(author, committer)

	for attempt := 0; ; attempt++ {
		base := t.head()
		baseTree, err := commitTree(s, base)
		if err != nil {
			return commitOutcome{}, t.internal("reading head", err)
		}
		oldSub, err := subtree(s, baseTree, dir)
		if err != nil {
			return commitOutcome{}, t.internal("reading "+dir, err)
		}
		content, err := build(t.committedFiles(b, dir, oldSub))
		if err != nil {
			return commitOutcome{}, err
		}
		newSub, written, removed, err := buildDir(b, oldSub, content)
		if err != nil {
			return commitOutcome{}, t.internal("writing "+dir, err)
		}
		if newSub == oldSub {
			logf("%s is up to date at %s, nothing to commit", dir, short(base))
			return commitOutcome{head: base}, nil
		}
		newRoot, err := replaceSubtree(b, baseTree, strings.Split(dir, "/"), newSub, true)
		if err != nil {
			return commitOutcome{}, t.internal("writing tree", err)
		}
		c, err := writeCommit(b, newRoot, base, authorSig, committer, msg)
		if err != nil {
			return commitOutcome{}, t.internal("writing commit", err)
		}
		if err := b.flush(); err != nil {
			return commitOutcome{}, t.internal("storing objects", err)
		}
		pruned := t.prunedRefs(removed)

		if !t.hasRemote {
			var old *plumbing.Reference
			if !base.IsZero() {
				old = plumbing.NewHashReference(t.branch, base)
			}
			err := s.CheckAndSetReference(plumbing.NewHashReference(t.branch, c), old)
			if errors.Is(err, storage.ErrReferenceHasChanged) && attempt < t.cfg.PushRetries {
				logf("branch %s moved during the commit; committing again on top of it", t.cfg.Branch)
				continue
			}
			if err != nil {
				return commitOutcome{}, t.internal("updating branch "+t.cfg.Branch, err)
			}
			logf("committed %s: %d file(s) written, %d removed in %s", short(c), len(written), len(removed), dir)
			if err := t.syncWorktree(dir, content, written, removed); err != nil {
				// The commit is what Argo CD and Flux read; a stale checkout
				// only misleads someone looking at the directory.
				t.cfg.Logger.Warn("gitops: updating the work tree failed", "target", t.cfg.name(), "dir", dir, "err", err)
			}
			return commitOutcome{head: c, pruned: pruned}, nil
		}

		if err := s.SetReference(plumbing.NewHashReference(t.branch, c)); err != nil {
			return commitOutcome{}, t.internal("updating branch "+t.cfg.Branch, err)
		}
		if t.beforePush != nil {
			t.beforePush()
		}
		perr := t.push(ctx)
		if perr == nil {
			logf("committed and pushed %s: %d file(s) written, %d removed in %s", short(c), len(written), len(removed), dir)
			return commitOutcome{head: c, pruned: pruned}, nil
		}
		// Keep the clone equal to the remote between deployments: the
		// rejected commit is dropped and built again on the new head.
		if err := t.setBranch(base); err != nil {
			return commitOutcome{}, t.internal("resetting branch "+t.cfg.Branch, err)
		}
		if ctx.Err() != nil {
			return commitOutcome{}, t.unavailable("push", perr)
		}
		if err := t.fetch(ctx); err != nil {
			return commitOutcome{}, t.unavailable("push", perr)
		}
		if t.head() == base {
			return commitOutcome{}, t.unavailable("push", perr)
		}
		if attempt >= t.cfg.PushRetries {
			return commitOutcome{}, paved.Errorf(paved.ECONFLICT, "gitops target %s: push of %s rejected %d times because the branch %s kept moving; try again", t.cfg.name(), dir, attempt+1, t.cfg.Branch)
		}
		logf("push rejected: %s moved to %s; committing again on top of it", t.cfg.Branch, short(t.head()))
	}
}

// buildDir stores the tree of a directory holding content, writing only the
// blobs that are not in old. It returns the tree (zero for nil content) and
// the names written and removed relative to old.
func buildDir(s storer.EncodedObjectStorer, old plumbing.Hash, content map[string][]byte) (tree plumbing.Hash, written []string, removed []object.TreeEntry, err error) {
	oldEntries, err := treeEntries(s, old)
	if err != nil {
		return plumbing.ZeroHash, nil, nil, err
	}
	oldByName := make(map[string]object.TreeEntry, len(oldEntries))
	for _, e := range oldEntries {
		oldByName[e.Name] = e
		if _, ok := content[e.Name]; !ok {
			removed = append(removed, e)
		}
	}
	if content == nil {
		return plumbing.ZeroHash, nil, removed, nil
	}
	entries := make([]object.TreeEntry, 0, len(content))
	for name, data := range content {
		h := plumbing.ComputeHash(plumbing.BlobObject, data)
		if e, ok := oldByName[name]; !ok || e.Hash != h || e.Mode != filemode.Regular {
			if err := writeBlob(s, h, data); err != nil {
				return plumbing.ZeroHash, nil, nil, fmt.Errorf("writing %s: %w", name, err)
			}
			written = append(written, name)
		}
		entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: h})
	}
	if len(written) == 0 && len(removed) == 0 {
		return old, nil, nil, nil
	}
	tree, err = writeTree(s, entries)
	return tree, written, removed, err
}

// prunedRefs decodes the objects of removed files, for the result's
// statuses. Files that are not objects are left out.
func (t *Target) prunedRefs(removed []object.TreeEntry) []paved.ObjectRef {
	var refs []paved.ObjectRef
	for _, e := range removed {
		if e.Name == kustomizationFileName || !e.Mode.IsFile() {
			continue
		}
		data, err := readBlob(t.repo.Storer, e.Hash)
		if err != nil {
			continue
		}
		if ref, err := decodeRef(data); err == nil {
			refs = append(refs, ref)
		}
	}
	sortRefs(refs)
	return refs
}

// committedFiles reads the files of dir's tree (zero for none) for a
// buildFunc, listing the tree on first use.
func (t *Target) committedFiles(s storer.EncodedObjectStorer, dir string, tree plumbing.Hash) func(string) ([]byte, error) {
	var entries []object.TreeEntry
	listed := false
	return func(name string) ([]byte, error) {
		if !listed {
			var err error
			if entries, err = treeEntries(s, tree); err != nil {
				return nil, t.internal("reading "+dir, err)
			}
			listed = true
		}
		for _, e := range entries {
			if e.Name == name && e.Mode.IsFile() {
				data, err := readBlob(s, e.Hash)
				if err != nil {
					return nil, t.internal("reading "+dir+"/"+name, err)
				}
				return data, nil
			}
		}
		return nil, nil
	}
}

func (t *Target) dirEntries(commit plumbing.Hash, dir string) ([]object.TreeEntry, error) {
	root, err := commitTree(t.repo.Storer, commit)
	if err != nil {
		return nil, err
	}
	sub, err := subtree(t.repo.Storer, root, dir)
	if err != nil {
		return nil, err
	}
	return treeEntries(t.repo.Storer, sub)
}

// head is the commit the next one builds on: the local branch, which
// between deployments equals the remote's branch for a remote target.
func (t *Target) head() plumbing.Hash {
	ref, err := t.repo.Storer.Reference(t.branch)
	if err != nil {
		return plumbing.ZeroHash
	}
	return ref.Hash()
}

func (t *Target) setBranch(h plumbing.Hash) error {
	if h.IsZero() {
		err := t.repo.Storer.RemoveReference(t.branch)
		if errors.Is(err, plumbing.ErrReferenceNotFound) {
			return nil
		}
		return err
	}
	return t.repo.Storer.SetReference(plumbing.NewHashReference(t.branch, h))
}

// open opens the repository, creating a local one or the clone of a remote
// one if needed. The caller holds t.mu.
func (t *Target) open(ctx context.Context) error {
	if t.repo != nil {
		return nil
	}
	if t.hasRemote {
		return t.openClone(ctx)
	}
	return t.openLocal()
}

func (t *Target) openLocal() error {
	path := t.cfg.Path
	repo, err := openOrInit(path, false, t.branch)
	if err != nil {
		return paved.Errorf(paved.EUNAVAILABLE, "gitops target %s: %v", path, err)
	}
	t.repo = repo
	if wt, err := repo.Worktree(); err == nil {
		// Keep the checkout in step only while it shows our branch.
		if head, err := repo.Storer.Reference(plumbing.HEAD); err == nil && head.Type() == plumbing.SymbolicReference && head.Target() == t.branch {
			t.worktree = wt.Filesystem.Root()
		}
	}
	return nil
}

func (t *Target) openClone(ctx context.Context) error {
	repo, err := openOrInit(t.cfg.CloneDir, true, t.branch)
	if err != nil {
		return paved.Errorf(paved.EUNAVAILABLE, "gitops target %s: clone directory %s: %v", t.cfg.name(), t.cfg.CloneDir, err)
	}
	want := &gitconfig.RemoteConfig{
		Name:  remoteName,
		URLs:  []string{t.cfg.URL},
		Fetch: []gitconfig.RefSpec{t.refSpec()},
	}
	r, err := repo.Remote(remoteName)
	switch {
	case err == nil && slices.Equal(r.Config().URLs, want.URLs) && slices.Equal(r.Config().Fetch, want.Fetch):
	case err == nil || errors.Is(err, git.ErrRemoteNotFound):
		if err == nil {
			if err := repo.DeleteRemote(remoteName); err != nil {
				return t.internal("configuring the clone", err)
			}
		}
		if _, err := repo.CreateRemote(want); err != nil {
			return t.internal("configuring the clone", err)
		}
	default:
		return t.internal("opening the clone", err)
	}
	t.repo = repo
	return nil
}

func (t *Target) refSpec() gitconfig.RefSpec {
	return gitconfig.RefSpec("+" + t.branch.String() + ":" + t.tracking.String())
}

// openOrInit opens the repository at path or creates one if path is missing
// or an empty directory: never in a directory holding something else.
func openOrInit(path string, bare bool, branch plumbing.ReferenceName) (*git.Repository, error) {
	entries, err := os.ReadDir(path)
	switch {
	case errors.Is(err, os.ErrNotExist) || err == nil && len(entries) == 0:
		if err := os.MkdirAll(path, 0o755); err != nil {
			return nil, err
		}
		return git.PlainInitWithOptions(path, &git.PlainInitOptions{
			InitOptions: git.InitOptions{DefaultBranch: branch},
			Bare:        bare,
		})
	case err != nil:
		return nil, err
	}
	repo, err := git.PlainOpen(path)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s is not a Git repository and not empty", path)
	}
	return repo, err
}

// fetch brings the remote's branch into the clone and moves the local
// branch onto it. A remote without any branch is fine (the first push
// creates it); a remote with branches but not ours is a configuration error.
func (t *Target) fetch(ctx context.Context) error {
	auth, err := t.cfg.auth()
	if err != nil {
		return paved.Errorf(paved.EINVALID, "gitops target %s: %v", t.cfg.name(), err)
	}
	err = t.repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: remoteName,
		RefSpecs:   []gitconfig.RefSpec{t.refSpec()},
		Auth:       auth,
		Tags:       git.NoTags,
	})
	switch {
	case err == nil || errors.Is(err, git.NoErrAlreadyUpToDate):
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		if err := t.repo.Storer.RemoveReference(t.tracking); err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
			return t.internal("updating the clone", err)
		}
	case errors.Is(err, git.NoMatchingRefSpecError{}):
		return paved.Errorf(paved.EUNAVAILABLE, "gitops target %s: branch %q does not exist in the remote repository; create it or configure another branch", t.cfg.name(), t.cfg.Branch)
	default:
		return t.unavailable("fetch", err)
	}
	remoteHead := plumbing.ZeroHash
	if ref, err := t.repo.Storer.Reference(t.tracking); err == nil {
		remoteHead = ref.Hash()
	}
	if err := t.setBranch(remoteHead); err != nil {
		return t.internal("updating the clone", err)
	}
	return nil
}

func (t *Target) push(ctx context.Context) error {
	auth, err := t.cfg.auth()
	if err != nil {
		return paved.Errorf(paved.EINVALID, "gitops target %s: %v", t.cfg.name(), err)
	}
	err = t.repo.PushContext(ctx, &git.PushOptions{
		RemoteName: remoteName,
		RefSpecs:   []gitconfig.RefSpec{gitconfig.RefSpec(t.branch.String() + ":" + t.branch.String())},
		Auth:       auth,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return err
	}
	// go-git updates the tracking ref through the fetch refspec; make sure.
	return t.repo.Storer.SetReference(plumbing.NewHashReference(t.tracking, t.head()))
}

// unavailable reports a failed remote operation with a reason a platform
// engineer can act on, naming the target without its credentials.
func (t *Target) unavailable(op string, err error) error {
	return &paved.Error{
		Code:    paved.EUNAVAILABLE,
		Message: fmt.Sprintf("gitops target %s: %s failed: %s", t.cfg.name(), op, t.cfg.scrub(describe(err))),
		Err:     err,
	}
}

func (t *Target) internal(what string, err error) error {
	return fmt.Errorf("gitops target %s: %s: %w", t.cfg.name(), what, err)
}

func withBody(subject, body string) string {
	if body = strings.TrimSpace(body); body != "" {
		return subject + "\n\n" + body + "\n"
	}
	return subject + "\n"
}

// signature returns the author named by a request ("Name <email>", an
// email or a name), or def for none.
func signature(author string, def object.Signature) object.Signature {
	author = strings.TrimSpace(author)
	if author == "" {
		return def
	}
	sig := object.Signature{When: def.When}
	if i, j := strings.LastIndexByte(author, '<'), strings.LastIndexByte(author, '>'); i >= 0 && j > i {
		sig.Name, sig.Email = strings.TrimSpace(author[:i]), strings.TrimSpace(author[i+1:j])
	} else if strings.Contains(author, "@") && !strings.ContainsAny(author, " \t") {
		sig.Email = author
	} else {
		sig.Name, sig.Email = author, def.Email
	}
	if sig.Name == "" {
		sig.Name, _, _ = strings.Cut(sig.Email, "@")
	}
	clean := strings.NewReplacer("<", "", ">", "", "\n", " ", "\r", " ", "\x00", "")
	sig.Name, sig.Email = clean.Replace(sig.Name), clean.Replace(sig.Email)
	return sig
}

func hashString(h plumbing.Hash) string {
	if h.IsZero() {
		return ""
	}
	return h.String()
}

func short(h plumbing.Hash) string {
	if h.IsZero() {
		return "(no commit)"
	}
	return h.String()[:10]
}

// worktreePath joins a slash-separated repository path onto the work tree.
func (t *Target) worktreePath(p string) string {
	return filepath.Join(t.worktree, filepath.FromSlash(p))
}
