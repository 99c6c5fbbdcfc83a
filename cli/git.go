package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"paved.dev/paved"
)

// commit is where a deployment's specs come from: a commit and its time,
// and what said so.
type commit struct {
	sha  string
	at   *time.Time
	from string
}

// detectCommit finds the commit of the Git checkout that dir is in (HEAD,
// and its committer's time), or else the commit CI names in its
// environment (GitHub Actions' GITHUB_SHA; GitLab CI's CI_COMMIT_SHA and
// CI_COMMIT_TIMESTAMP), so that lead time is measured without flags. When
// one of specs (paths of Score files) differs from that commit, the specs
// are not that commit's, and no commit is recorded. No checkout and no CI
// variables is not an error: the deployment then has no commit. warning
// says what the reader should know (a checkout that could not be read, a
// spec with uncommitted changes).
func detectCommit(dir string, specs []string) (c commit, warning string, err error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	switch {
	case errors.Is(err, git.ErrRepositoryNotExists):
		c, err = commitFromEnv()
		return c, "", err
	case err != nil:
		// A checkout this library cannot read (an extension it does not
		// know, such as a sparse checkout's): CI's variables still tell.
		c, eerr := commitFromEnv()
		return c, fmt.Sprintf("cannot read the Git checkout of %s (%v)%s", dir, err, fallbackNote(c)), eerr
	}
	head, err := repo.Head()
	if err != nil {
		// A repository without commits yet.
		c, err = commitFromEnv()
		return c, "", err
	}
	hc, err := repo.CommitObject(head.Hash())
	if err != nil {
		c, eerr := commitFromEnv()
		return c, fmt.Sprintf("cannot read commit %s of the Git checkout of %s (%v)%s", head.Hash(), dir, err, fallbackNote(c)), eerr
	}
	at := hc.Committer.When.UTC()
	c = commit{sha: head.Hash().String(), at: &at, from: "the Git checkout"}
	if changed, err := changedSince(repo, hc.TreeHash, specs); err != nil {
		warning = fmt.Sprintf("could not compare the Score files with commit %s (%v); recording it", short(c.sha), err)
	} else if changed != "" {
		return commit{}, fmt.Sprintf("not recording commit %s: %s differs from it (uncommitted changes); commit them, or give --commit-sha", short(c.sha), changed), nil
	}
	return c, warning, nil
}

func fallbackNote(c commit) string {
	if c.sha == "" {
		return "; no commit is recorded: give --commit-sha (and --commit-time)"
	}
	return "; taking the commit from " + c.from
}

// changedSince returns the first of paths whose content differs from the
// tree (or that the tree does not have), or "".
func changedSince(repo *git.Repository, treeHash plumbing.Hash, paths []string) (string, error) {
	wt, err := repo.Worktree()
	if err != nil {
		return "", err
	}
	root, err := filepath.EvalSymlinks(wt.Filesystem.Root())
	if err != nil {
		return "", err
	}
	tree, err := repo.TreeObject(treeHash)
	if err != nil {
		return "", err
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", err
		}
		if abs, err = filepath.EvalSymlinks(abs); err != nil {
			return "", err
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil || rel == ".." || filepath.IsAbs(rel) || len(rel) > 2 && rel[:3] == ".."+string(filepath.Separator) {
			continue // not in this checkout
		}
		data, err := os.ReadFile(abs)
		if err != nil {
			return "", err
		}
		f, err := tree.File(filepath.ToSlash(rel))
		if err != nil || f.Hash != plumbing.ComputeHash(plumbing.BlobObject, data) {
			return p, nil
		}
	}
	return "", nil
}

func commitFromEnv() (commit, error) {
	if sha := os.Getenv("CI_COMMIT_SHA"); sha != "" {
		c := commit{sha: sha, from: "$CI_COMMIT_SHA"}
		if ts := os.Getenv("CI_COMMIT_TIMESTAMP"); ts != "" {
			t, err := time.Parse(time.RFC3339, ts)
			if err != nil {
				return commit{}, paved.Errorf(paved.EINVALID, "$CI_COMMIT_TIMESTAMP %q is not an RFC 3339 time; give --commit-time", ts)
			}
			t = t.UTC()
			c.at = &t
		}
		return c, nil
	}
	if sha := os.Getenv("GITHUB_SHA"); sha != "" {
		return commit{sha: sha, from: "$GITHUB_SHA"}, nil
	}
	return commit{}, nil
}
