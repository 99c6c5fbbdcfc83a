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
	// Standard markers whatever the user's or the repository's Git
	// configuration says (merge.conflictStyle diff3 or zdiff3 would add
	// a base section): run outside any repository, with no global or
	// system configuration.
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1", "GIT_CEILING_DIRECTORIES="+filepath.Dir(dir),
		"HOME="+dir, "XDG_CONFIG_HOME="+dir)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() > 0 && exit.ExitCode() < 128 && stderr.Len() == 0) {
		return nil, 0, fmt.Errorf("git merge-file: %v: %s", err, bytes.ReplaceAll(bytes.TrimSpace(stderr.Bytes()), []byte(dir+string(filepath.Separator)), nil))
	}
	// The exit status counts conflicts only up to 127: count the markers
	// the merge added.
	return out.Bytes(), markers(out.Bytes(), labels[0]) - markers(theirs, labels[0]), nil
}

// markers counts the lines that open a conflict of label.
func markers(data []byte, label string) int {
	open := []byte("<<<<<<< " + label)
	n := 0
	for line := range bytes.Lines(data) {
		if bytes.Equal(bytes.TrimRight(line, "\r\n"), open) {
			n++
		}
	}
	return n
}
