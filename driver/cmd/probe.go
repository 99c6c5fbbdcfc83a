package cmd

import (
	"context"
	"fmt"
	"os/exec"
	"time"

	"paved.dev/paved"
)

// maxCheckTimeout bounds a check run below the definition's timeout: the
// platform checks definitions one after another.
const maxCheckTimeout = 30 * time.Second

// NotCheckedError is what Probe returns when the definition names no check
// mode: the program was found and may be executed, nothing more is known.
// It is wrapped in a *paved.Error, so its message reaches the user.
//
// It is paved.ErrProbeLimited (errors.Is), so the platform reports the
// probe as limited, not failed, without knowing this package.
type NotCheckedError struct {
	Program string // as the definition names it
	Path    string // where it was found
}

func (e *NotCheckedError) Error() string {
	where := ""
	if e.Path != e.Program {
		where = " at " + e.Path
	}
	return fmt.Sprintf("cmd: program %s was found%s but not run: the definition sets no check mode, so whether it reaches what it needs is not known; set the check input to run it in check mode", e.Program, where)
}

// Is makes the error paved.ErrProbeLimited.
func (e *NotCheckedError) Is(target error) bool { return target == paved.ErrProbeLimited }

// Probe runs the program in check mode when the definition has a check input
// (true: with the definition's args; a list: with those arguments instead),
// with "mode": "check" and no resource in its input; exit status 0 is
// healthy, and otherwise the error quotes the end of its stderr. Without a
// check input it only finds the program and returns a *NotCheckedError.
func (d *Driver) Probe(ctx context.Context, m map[string]any) error {
	in, err := parseInputs(m)
	if err != nil {
		return err
	}
	path, err := in.path()
	if err == nil {
		// LookPath also tells whether a path is an executable file.
		path, err = exec.LookPath(path)
	}
	if err != nil {
		return paved.Errorf(paved.EINVALID, "cmd: program %s cannot be run: %v; check the definition's %s input and the file's execute permission", in.Name, err, in.source())
	}
	if !in.Check.on {
		nc := &NotCheckedError{Program: in.Name, Path: path}
		return &paved.Error{Code: paved.EINVALID, Message: nc.Error(), Err: nc}
	}
	_, err = d.run(ctx, &job{in: in, mode: ModeCheck, input: checkInput(), timeout: min(in.Timeout, maxCheckTimeout)})
	return err
}
