package gitops

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/memory"

	"paved.dev/paved"
)

// Probe tells whether deployments can be committed: for a local repository,
// that it opens (or can be created) and is writable; for a remote one, that
// the branch can be listed with the credentials and the clone directory is
// writable. It changes nothing.
func (t *Target) Probe(ctx context.Context) error {
	if t.hasRemote {
		if err := t.probeRemote(ctx); err != nil {
			return err
		}
		return t.probeDir(t.cfg.CloneDir, "clone directory ")
	}
	return t.probeDir(t.cfg.Path, "")
}

// probeDir probes a repository directory that Apply opens or creates.
func (t *Target) probeDir(path, what string) error {
	fail := func(format string, args ...any) error {
		return paved.Errorf(paved.EUNAVAILABLE, "gitops target %s: %s%s", t.cfg.name(), what, fmt.Sprintf(format, args...))
	}
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		// Apply will create it: the nearest existing parent must take it.
		parent := filepath.Dir(filepath.Clean(path))
		for {
			pfi, err := os.Stat(parent)
			if err == nil {
				if !pfi.IsDir() {
					return fail("%s cannot be created: %s is not a directory", path, parent)
				}
				if err := writable(parent); err != nil {
					return fail("%s cannot be created: %s is not writable", path, parent)
				}
				return nil
			}
			next := filepath.Dir(parent)
			if next == parent {
				return fail("%s cannot be created", path)
			}
			parent = next
		}
	}
	if err != nil {
		return fail("%s: %v", path, err)
	}
	if !fi.IsDir() {
		return fail("%s is not a directory", path)
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return fail("%s cannot be read: %v", path, err)
	}
	if len(entries) == 0 {
		if err := writable(path); err != nil {
			return fail("%s is not writable", path)
		}
		return nil
	}
	repo, err := git.PlainOpen(path)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return fail("%s is not a Git repository and not empty", path)
	}
	if err != nil {
		return fail("%s cannot be opened as a Git repository: %v", path, err)
	}
	// Objects go to the Git directory, files to the work tree if any.
	gitDir := path
	if _, err := repo.Worktree(); err == nil {
		gitDir = filepath.Join(path, git.GitDirName)
		if err := writable(path); err != nil {
			return fail("work tree %s is not writable", path)
		}
	}
	if err := writable(filepath.Join(gitDir, "objects")); err != nil {
		return fail("%s is not writable", gitDir)
	}
	return nil
}

func writable(dir string) error {
	f, err := os.CreateTemp(dir, ".paved-probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// probeRemote lists the remote's references, as `git ls-remote` does.
func (t *Target) probeRemote(ctx context.Context) error {
	auth, err := t.cfg.auth()
	if err != nil {
		return paved.Errorf(paved.EINVALID, "gitops target %s: %s", t.cfg.name(), t.cfg.scrub(err.Error()))
	}
	remote := git.NewRemote(memory.NewStorage(), &gitconfig.RemoteConfig{Name: remoteName, URLs: []string{t.cfg.URL}})
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: auth})
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return nil // the first deployment creates the branch
	}
	if err != nil {
		return t.unavailable("listing the remote references", err)
	}
	var branches []string
	for _, r := range refs {
		if r.Name() == t.branch {
			return nil
		}
		if r.Name().IsBranch() {
			branches = append(branches, r.Name().Short())
		}
	}
	if len(branches) == 0 {
		return nil // no branch at all: the first deployment creates it
	}
	slices.Sort(branches)
	return paved.Errorf(paved.EUNAVAILABLE, "gitops target %s: branch %q is missing (the remote has %s)", t.cfg.name(), t.cfg.Branch, strings.Join(branches, ", "))
}

// describe says why a remote operation failed in words a platform engineer
// can act on. The caller scrubs credentials from the result.
func describe(err error) string {
	msg := err.Error()
	var netErr net.Error
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired):
		return "authentication failed: the credentials are missing or were rejected"
	case errors.Is(err, transport.ErrAuthorizationFailed):
		return "authentication failed: the credentials may not access this repository"
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return "repository not found (or the credentials cannot see it)"
	case errors.Is(err, transport.ErrInvalidAuthMethod):
		return "the credentials do not fit the URL's protocol (use a token or password for https, a private key for ssh)"
	case strings.Contains(msg, "unable to authenticate") || strings.Contains(msg, "no supported methods remain"):
		return "ssh authentication failed: the key was rejected"
	case strings.Contains(msg, "knownhosts") || strings.Contains(msg, "host key"):
		return "ssh host key verification failed: " + msg
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
		return "unreachable: " + msg
	case errors.As(err, &dnsErr):
		return "unreachable: host " + dnsErr.Name + " not found"
	case errors.As(err, &opErr):
		return "unreachable: " + opErr.Error()
	case errors.As(err, &dnsErr):
		return "unreachable: host " + dnsErr.Name + " not found"
	case errors.As(err, &netErr) || strings.Contains(msg, "connection refused") || strings.Contains(msg, "no route to host"):
		return "unreachable: " + msg
	case strings.Contains(msg, "non-fast-forward"):
		return "the remote branch moved (non-fast-forward)"
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		return "the remote repository is empty"
	case errors.Is(err, plumbing.ErrObjectNotFound):
		return "the clone is missing objects: " + msg
	}
	return msg
}
