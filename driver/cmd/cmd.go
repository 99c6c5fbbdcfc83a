// Package cmd is the paved driver that runs an external provisioner program:
// a JSON document about the resource on stdin, a JSON document with its
// outputs on stdout. The documents are those of score-k8s' cmd://
// provisioners, field for field, so that their programs run unchanged; what
// paved cannot do as score-k8s does (one shared_state per environment,
// references to existing Secrets) is listed in docs/drivers-real.md.
package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/scorek8s"
)

// Driver runs provisioner programs. It is safe for concurrent use.
type Driver struct {
	logger *slog.Logger
}

var (
	_ paved.Driver             = (*Driver)(nil)
	_ paved.InputValidator     = (*Driver)(nil)
	_ paved.Deprovisioner      = (*Driver)(nil)
	_ paved.DeprovisionChecker = (*Driver)(nil)
	_ paved.Prober             = (*Driver)(nil)
)

// New returns a driver that logs to logger (nil for none).
func New(logger *slog.Logger) *Driver {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Driver{logger: logger}
}

// ValidateInputs checks a definition's driver_inputs: their types, the
// syntax of a uri and of argument templates. It looks nothing up, so that a
// definition loads where its program is not installed.
func (d *Driver) ValidateInputs(m map[string]any) error {
	_, err := parseInputs(m)
	return err
}

// Provision runs the program in provision mode and returns what it printed.
// Its resource_state is handed back to it next time, and so is the shared
// state it returned for this resource (see scorek8s.SharedStateKey).
func (d *Driver) Provision(ctx context.Context, req *paved.ResourceRequest) (*paved.ResourceResult, error) {
	in, err := requestInputs(req)
	if err != nil {
		return nil, err
	}
	own, shared := scorek8s.SplitState(req.State)
	stdout, err := d.run(ctx, &job{in: in, mode: ModeProvision, input: newInput(req, ModeProvision, own, shared), log: req.Log, uid: req.UID, timeout: in.Timeout})
	if err != nil {
		return nil, err
	}
	out, err := decodeOutput(stdout)
	if err != nil {
		// stdout is not quoted: it may hold the very outputs (passwords) that
		// made it fail to decode. The program's stderr is in the events.
		return nil, paved.Errorf(paved.EINTERNAL, "cmd: %s printed no valid output (%d bytes: %v); it must print one JSON object with only resource_outputs, resource_state, shared_state and manifests",
			in.Name, len(stdout), err)
	}
	outputs, err := scorek8s.ResolveSecretRefs("cmd", out.ResourceOutputs, out.Manifests, req.Definition)
	if err != nil {
		return nil, err
	}
	// As in score-k8s, a missing shared_state leaves it as it was.
	if out.SharedState != nil {
		shared = scorek8s.MergePatch(shared, out.SharedState)
	}
	state, err := scorek8s.JoinState(out.ResourceState, shared)
	if err != nil {
		return nil, paved.Errorf(paved.EINTERNAL, "cmd: %s: %v", in.Name, err)
	}
	return &paved.ResourceResult{Outputs: outputs, State: state, Manifests: out.Manifests}, nil
}

// Deprovisions says whether the definition has the program run to
// deprovision; without it Deprovision removes nothing.
func (d *Driver) Deprovisions(def *paved.ResourceDefinition) bool {
	in, err := parseInputs(def.Inputs)
	return err == nil && in.Deprovision.on
}

// Deprovision runs the program in deprovision mode when the definition says
// it has one; what it prints is ignored, and exit status 0 means done.
// Otherwise it does nothing: score-k8s never deprovisions, so a program
// written for it would provision again if run.
func (d *Driver) Deprovision(ctx context.Context, req *paved.ResourceRequest) error {
	in, err := requestInputs(req)
	if err != nil {
		return err
	}
	if !in.Deprovision.on {
		msg := "cmd: " + in.Name + " was not run to deprovision " + string(req.UID) + ": the definition does not set deprovision, so anything the program made outside its manifests stays"
		if req.Log != nil {
			req.Log(msg)
		}
		d.logger.Info(msg)
		return nil
	}
	own, shared := scorek8s.SplitState(req.State)
	_, err = d.run(ctx, &job{in: in, mode: ModeDeprovision, input: newInput(req, ModeDeprovision, own, shared), log: req.Log, uid: req.UID, timeout: in.Timeout})
	return err
}

func requestInputs(req *paved.ResourceRequest) (*inputs, error) {
	if req.Definition == nil {
		return nil, paved.Errorf(paved.EINVALID, "cmd: resource %s has no definition to read driver_inputs from", req.UID)
	}
	return parseInputs(req.Definition.Inputs)
}

// job is one run of a program.
type job struct {
	in      *inputs
	mode    string
	input   *Input
	log     func(string) // receives stderr lines; nil for none
	uid     paved.ResourceUID
	timeout time.Duration
}

// run runs the program once and returns its stdout.
func (d *Driver) run(ctx context.Context, j *job) ([]byte, error) {
	in := j.in
	path, err := in.path()
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "cmd: %s: program cannot be run: %v; check the definition's uri input (or install the program on this machine)", in.Name, err)
	}
	args, err := renderArgs(in.argsFor(j.mode), j.mode, in.TemplateArgs, newTemplateData(j.input))
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "cmd: %s (%s): %v", in.Name, j.mode, err)
	}
	input, err := json.Marshal(j.input)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "cmd: the resource's params, metadata or state cannot be written as JSON: %v", err)
	}

	runCtx, cancel := context.WithTimeout(ctx, j.timeout)
	defer cancel()
	c := exec.CommandContext(runCtx, path, args...)
	inOwnGroup(c)
	// Output pipes held open by a process the program left behind do not
	// keep us waiting past this.
	c.WaitDelay = 2 * time.Second
	c.Stdin = bytes.NewReader(input)
	stdout := &cappedBuffer{max: maxStdout}
	c.Stdout = stdout
	stderr := &lineWriter{log: j.log, prefix: "cmd: " + in.label + ": "}
	c.Stderr = stderr

	start := time.Now()
	err = c.Run()
	stderr.flush()
	d.logger.Debug("cmd: program ran", "program", in.Name, "mode", j.mode, "resource", j.uid, "elapsed", time.Since(start), "err", err)
	switch {
	case runCtx.Err() == context.DeadlineExceeded && ctx.Err() == nil:
		return nil, paved.Errorf(paved.EUNAVAILABLE, "cmd: %s (%s) did not finish within %s and was killed with its process group; raise the definition's timeout input if it needs longer%s",
			in.Name, j.mode, j.timeout, stderr.tailText())
	case ctx.Err() != nil:
		return nil, fmt.Errorf("cmd: %s (%s) stopped: %w", in.Name, j.mode, ctx.Err())
	case err != nil:
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return nil, paved.Errorf(paved.EINTERNAL, "cmd: %s (%s) failed with exit status %d%s", in.Name, j.mode, exitErr.ExitCode(), stderr.tailText())
		}
		if errors.Is(err, exec.ErrWaitDelay) {
			break // it exited 0 but left something holding its output
		}
		return nil, paved.Errorf(paved.EINVALID, "cmd: program %q cannot be run: %v; check the definition's %s input and the file's execute permission", in.Name, err, in.source())
	}
	if stdout.overflow {
		return nil, paved.Errorf(paved.EINTERNAL, "cmd: %s (%s) printed more than %d MiB on stdout", in.Name, j.mode, maxStdout>>20)
	}
	return stdout.Bytes(), nil
}
