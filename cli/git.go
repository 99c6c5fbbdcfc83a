package cli

import (
	"errors"
	"os"
	"time"

	"github.com/go-git/go-git/v5"

	"paved.dev/paved"
)

// commit is where a deployment's specs come from: a commit and its time,
// and what said so.
type commit struct {
	sha  string
	at   *time.Time
	from string
}

// detectCommit finds the commit of the Git checkout dir is in (HEAD, and
// its committer's time), or else the commit CI names in its environment
// (GitHub Actions' GITHUB_SHA; GitLab CI's CI_COMMIT_SHA and
// CI_COMMIT_TIMESTAMP), so that lead time is measured without flags. No
// checkout and no CI variables is not an error: the deployment then has no
// commit.
func detectCommit(dir string) (commit, error) {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	switch {
	case errors.Is(err, git.ErrRepositoryNotExists):
		return commitFromEnv()
	case err != nil:
		return commit{}, paved.Errorf(paved.EINVALID, "reading the Git checkout in %s for the commit: %s; give --commit-sha (and --commit-time), or --no-git", dir, err)
	}
	head, err := repo.Head()
	if err != nil {
		// A repository without commits yet.
		return commitFromEnv()
	}
	c, err := repo.CommitObject(head.Hash())
	if err != nil {
		return commit{}, paved.Errorf(paved.EINVALID, "reading commit %s of the Git checkout in %s: %s; give --commit-sha (and --commit-time), or --no-git", head.Hash(), dir, err)
	}
	at := c.Committer.When.UTC()
	return commit{sha: head.Hash().String(), at: &at, from: "the Git checkout"}, nil
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
