package scaffold

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/object"

	"paved.dev/paved"
)

// Author is who commits: the user's Git identity (user.name and
// user.email of the global Git configuration) when there is one, else
// fallback.
func Author(fallback string, at time.Time) *object.Signature {
	sig := &object.Signature{Name: fallback, Email: fallback + "@paved.invalid", When: at}
	if cfg, err := config.LoadConfig(config.GlobalScope); err == nil && cfg.User.Name != "" {
		sig.Name = cfg.User.Name
		if cfg.User.Email != "" {
			sig.Email = cfg.User.Email
		}
	}
	return sig
}

// CheckTarget refuses a directory a scaffold cannot be written to: one
// that exists and is not empty, or a file.
func CheckTarget(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		if info, serr := os.Stat(dir); serr == nil && !info.IsDir() {
			return paved.Errorf(paved.EINVALID, "--dir %s: a file is there; give a new or empty folder", dir)
		}
		return paved.Errorf(paved.EINVALID, "--dir %s: %v", dir, err)
	case len(entries) > 0:
		return paved.Errorf(paved.EINVALID, "--dir %s: not empty (%s...); give a new or empty folder", dir, entries[0].Name())
	}
	return nil
}

// LinkError is a path of the repository that is, or goes through, a
// symbolic link: paved reads and writes no file through one (a link could
// point anywhere on the machine).
type LinkError struct{ Path, Link string }

func (e *LinkError) Error() string {
	if e.Path == e.Link {
		return e.Path + " is a symbolic link"
	}
	return e.Path + " goes through the symbolic link " + e.Link
}

// noLinks refuses a path under root any part of which is a symbolic link;
// parts that do not exist are not links.
func noLinks(root, p string) error {
	parts := strings.Split(p, "/")
	for i := range parts {
		sub := strings.Join(parts[:i+1], "/")
		info, err := os.Lstat(filepath.Join(root, filepath.FromSlash(sub)))
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if info.Mode()&os.ModeSymlink != 0 {
			return &LinkError{Path: p, Link: sub}
		}
	}
	return nil
}

// writeFile writes a rendered file under root, never through a link.
func writeFile(root, p string, content []byte, executable bool) error {
	if err := checkPath(p); err != nil && p != RecordPath {
		return err
	}
	if err := noLinks(root, p); err != nil {
		return err
	}
	full := filepath.Join(root, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if executable {
		mode = 0o755
	}
	if err := os.WriteFile(full, content, mode); err != nil {
		return err
	}
	return os.Chmod(full, mode)
}

// InitRepo writes a rendering and its record into dir (new or empty),
// makes it a Git repository and commits everything; it returns the
// commit's hash.
func InitRepo(dir string, r *paved.Rendering, author *object.Signature) (string, error) {
	if err := CheckTarget(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", paved.Errorf(paved.EINVALID, "--dir %s: %v", dir, err)
	}
	for _, f := range r.Files {
		if err := writeFile(dir, f.Path, []byte(f.Content), f.Executable); err != nil {
			return "", fmt.Errorf("write %s: %w", f.Path, err)
		}
	}
	if err := writeFile(dir, RecordPath, RecordOf(r).Encode(), false); err != nil {
		return "", fmt.Errorf("write %s: %w", RecordPath, err)
	}
	repo, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: "refs/heads/main"}})
	if err != nil {
		return "", fmt.Errorf("git init %s: %w", dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return "", err
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return "", fmt.Errorf("git add: %w", err)
	}
	h, err := wt.Commit(fmt.Sprintf("Scaffold %s from golden path %s %s\n\nWritten by paved new; %s records the template, its version\nand parameters for paved upgrade.\n", r.Name, r.Template, r.Version, RecordPath),
		&git.CommitOptions{Author: author})
	if err != nil {
		return "", fmt.Errorf("git commit: %w", err)
	}
	return h.String(), nil
}

// Repo is a scaffolded repository being upgraded.
type Repo struct {
	Root   string
	Record *Record
	repo   *git.Repository
}

// OpenRepo opens the Git repository dir is in and reads its record.
func OpenRepo(dir string) (*Repo, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, paved.Errorf(paved.EINVALID, "%s is not in a Git repository: run paved upgrade in a repository paved new scaffolded", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("open the Git repository of %s: %w", dir, err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: a repository without a work tree cannot be upgraded", dir)
	}
	root := wt.Filesystem.Root()
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(RecordPath)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, paved.Errorf(paved.EINVALID, "%s has no %s: it was not scaffolded by paved new (or the file was removed: restore it from the repository's history)", root, RecordPath)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", RecordPath, err)
	}
	rec, err := DecodeRecord(data)
	if err != nil {
		return nil, err
	}
	return &Repo{Root: root, Record: rec, repo: repo}, nil
}

// Read reads a file of the work tree; a *LinkError when it is, or is in,
// a symbolic link.
func (r *Repo) Read(p string) ([]byte, bool, error) {
	if err := noLinks(r.Root, p); err != nil {
		return nil, false, err
	}
	data, err := os.ReadFile(filepath.Join(r.Root, filepath.FromSlash(p)))
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return data, true, nil
}

// CheckClean refuses an upgrade over uncommitted changes to the files it
// may touch: the commit before it keeps what the team had.
func (r *Repo) CheckClean(u *Upgrade) error {
	wt, err := r.repo.Worktree()
	if err != nil {
		return err
	}
	st, err := wt.Status()
	if err != nil {
		return fmt.Errorf("git status: %w", err)
	}
	var dirty []string
	for _, p := range append(r.Record.paths(), RecordPath) {
		if s, ok := st[p]; ok && (s.Worktree != git.Unmodified || s.Staging != git.Unmodified) && s.Worktree != git.Untracked {
			dirty = append(dirty, p)
		}
	}
	for _, c := range u.Changes {
		if s, ok := st[c.Path]; ok && s.Worktree != git.Unmodified && s.Worktree != git.Untracked && !slices.Contains(dirty, c.Path) {
			dirty = append(dirty, c.Path)
		}
	}
	if len(dirty) > 0 {
		slices.Sort(dirty)
		return paved.Errorf(paved.EINVALID, "uncommitted changes to %s: commit or stash them first, so that the upgrade's commit stands apart from them", strings.Join(dirty, ", "))
	}
	// The upgrade's commit is made of the index: anything else staged
	// would go into it.
	var staged []string
	for p, s := range st {
		if s.Staging != git.Unmodified && s.Staging != git.Untracked {
			staged = append(staged, p)
		}
	}
	if len(staged) > 0 {
		slices.Sort(staged)
		return paved.Errorf(paved.EINVALID, "staged changes to %s, which the upgrade's commit would include: commit them first, or unstage them (git restore --staged %s)", strings.Join(staged, ", "), strings.Join(staged, " "))
	}
	return nil
}

// Apply writes the upgrade into the work tree and commits it, the
// upgrade's files alone (CheckClean first); it returns the commit's hash,
// or "" when there was nothing to commit.
func (r *Repo) Apply(u *Upgrade, author *object.Signature) (string, error) {
	if u.Empty() {
		return "", nil
	}
	if err := r.CheckClean(u); err != nil {
		return "", err
	}
	wt, err := r.repo.Worktree()
	if err != nil {
		return "", err
	}
	for _, c := range u.Changed() {
		if c.Action == Delete {
			if _, err := wt.Remove(c.Path); err != nil {
				return "", fmt.Errorf("git rm %s: %w", c.Path, err)
			}
			continue
		}
		if err := writeFile(r.Root, c.Path, c.content, c.exec); err != nil {
			return "", fmt.Errorf("write %s: %w", c.Path, err)
		}
		if _, err := wt.Add(c.Path); err != nil {
			return "", fmt.Errorf("git add %s: %w", c.Path, err)
		}
	}
	if err := writeFile(r.Root, RecordPath, u.record.Encode(), false); err != nil {
		return "", fmt.Errorf("write %s: %w", RecordPath, err)
	}
	if _, err := wt.Add(RecordPath); err != nil {
		return "", fmt.Errorf("git add %s: %w", RecordPath, err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Upgrade golden path %s %s -> %s\n\nWritten by paved upgrade.\n", u.Template, u.From, u.To)
	for _, c := range u.Changed() {
		fmt.Fprintf(&b, "\n%-8s %s", c.Action, c.Path)
	}
	for _, c := range u.Changes {
		if c.Action == Keep {
			fmt.Fprintf(&b, "\n%-8s %s (%s)", c.Action, c.Path, c.Note)
		}
	}
	if len(u.Dropped) > 0 {
		fmt.Fprintf(&b, "\n\nParameters dropped (%s %s does not declare them): %s", u.Template, u.To, strings.Join(u.Dropped, ", "))
	}
	if cs := u.Conflicts(); len(cs) > 0 {
		fmt.Fprintf(&b, "\n\nConflicts to resolve (marked <<<<<<< yours ... >>>>>>> %s %s): %s", u.Template, u.To, strings.Join(cs, ", "))
	}
	h, err := wt.Commit(b.String()+"\n", &git.CommitOptions{Author: author})
	if err != nil {
		return "", fmt.Errorf("git commit: %w", err)
	}
	return h.String(), nil
}
