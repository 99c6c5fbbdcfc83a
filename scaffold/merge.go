package scaffold

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"paved.dev/paved"
)

// Merge3 merges the changes from base to ours (the template's new
// version) into theirs (the repository's file) with Git's own three-way
// merge, git merge-file: the implementation every git merge uses, whose
// conflict markers (<<<<<<< yours, =======, >>>>>>> template) every editor
// and merge tool reads. No Go three-way merge module could be had here
// (go-git merges by fast-forward only), and writing one is what the
// project does not do. It returns the merged content and the number of
// conflicts marked in it.
func Merge3(ctx context.Context, theirs, base, ours []byte, labels [3]string) ([]byte, int, error) {
	gitPath, err := exec.LookPath("git")
	if err != nil {
		return nil, 0, paved.Errorf(paved.EUNAVAILABLE, "paved upgrade merges files with git merge-file, and git is not on PATH: install git")
	}
	dir, err := os.MkdirTemp("", "paved-merge-")
	if err != nil {
		return nil, 0, fmt.Errorf("merge: %w", err)
	}
	defer os.RemoveAll(dir)
	names := [3]string{filepath.Join(dir, "yours"), filepath.Join(dir, "base"), filepath.Join(dir, "ours")}
	for i, data := range [][]byte{theirs, base, ours} {
		if err := os.WriteFile(names[i], data, 0o600); err != nil {
			return nil, 0, fmt.Errorf("merge: %w", err)
		}
	}
	cmd := exec.CommandContext(ctx, gitPath, "merge-file", "-p", "-L", labels[0], "-L", labels[1], "-L", labels[2], names[0], names[1], names[2])
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir, "XDG_CONFIG_HOME="+dir) // no merge.conflictStyle of the user's: standard markers
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return out.Bytes(), 0, nil
	case errors.As(err, &exit) && exit.ExitCode() > 0 && exit.ExitCode() < 128 && stderr.Len() == 0:
		// The exit status counts the conflicts.
		return out.Bytes(), exit.ExitCode(), nil
	}
	return nil, 0, fmt.Errorf("git merge-file: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))
}
