// Package cmd is the paved driver that runs an external provisioner program:
// a JSON document about the resource on stdin, a JSON document with its
// outputs on stdout. The protocol is that of score-k8s' cmd:// provisioners,
// so their programs work unchanged.
package cmd

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"paved.dev/paved"
)

// Modes of a run, in the input's "mode" field and in place of a "<mode>"
// argument.
const (
	ModeProvision   = "provision"
	ModeDeprovision = "deprovision"
)

// Bounds on what is read from a program.
const (
	maxStdout    = 4 << 20 // bytes
	maxLogLines  = 1000    // stderr lines passed to the request's log
	maxLineBytes = 1024    // longer stderr lines are cut
	tailLines    = 20      // stderr lines quoted in an error
)

// Driver runs provisioner programs. It is safe for concurrent use.
type Driver struct {
	logger *slog.Logger
}

var (
	_ paved.Driver         = (*Driver)(nil)
	_ paved.InputValidator = (*Driver)(nil)
	_ paved.Deprovisioner  = (*Driver)(nil)
	_ paved.Prober         = (*Driver)(nil)
)

// New returns a driver that logs to logger (nil for none).
func New(logger *slog.Logger) *Driver {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Driver{logger: logger}
}

// ValidateInputs checks a definition's driver_inputs.
func (d *Driver) ValidateInputs(m map[string]any) error {
	_, err := parseInputs(m)
	return err
}

// Check tells whether the program can be found and run.
func (d *Driver) Probe(_ context.Context, m map[string]any) error {
	in, err := parseInputs(m)
	if err != nil {
		return err
	}
	if _, err := exec.LookPath(in.Program); err != nil {
		return paved.Errorf(paved.EINVALID, "cmd: program %q cannot be run: %v; check the definition's program input and the file's execute permission", in.Program, err)
	}
	return nil
}

// Input is the document a program reads on stdin. Its fields are score-k8s'
// (Mode, App, Env and EnvType are paved's additions).
type Input struct {
	// Mode is "provision" or "deprovision". A program that knows nothing of
	// deprovisioning provisions when asked to deprovision; paved ignores
	// what it prints then, so it should at least do no harm and exit 0.
	Mode             string                    `json:"mode"`
	ResourceGUID     string                    `json:"resource_guid"`
	ResourceUID      string                    `json:"resource_uid"`
	ResourceType     string                    `json:"resource_type"`
	ResourceClass    string                    `json:"resource_class"`
	ResourceID       string                    `json:"resource_id"`
	ResourceParams   map[string]any            `json:"resource_params"`
	ResourceMetadata map[string]any            `json:"resource_metadata"`
	SourceWorkload   string                    `json:"source_workload"`
	WorkloadServices map[string]NetworkService `json:"workload_services"`
	ResourceState    map[string]any            `json:"resource_state"`
	SharedState      map[string]any            `json:"shared_state"`
	Namespace        string                    `json:"namespace"`
	App              string                    `json:"app"`
	Env              string                    `json:"env"`
	EnvType          string                    `json:"env_type"`
}

// NetworkService is how a workload is reached: its service name and its
// ports by name (and by number, as score-k8s also lists them).
type NetworkService struct {
	ServiceName string                 `json:"service_name"`
	Ports       map[string]ServicePort `json:"ports"`
}

// ServicePort is one port of a workload's service.
type ServicePort struct {
	Name       string `json:"name"`
	Port       int    `json:"port"`
	TargetPort int    `json:"target_port"`
	Protocol   string `json:"protocol"`
}

// Output is the document a program prints on stdout when provisioning.
type Output struct {
	ResourceOutputs map[string]any   `json:"resource_outputs"`
	ResourceState   map[string]any   `json:"resource_state"`
	SharedState     map[string]any   `json:"shared_state"`
	Manifests       []map[string]any `json:"manifests"`
}

// Provision runs the program in provision mode and returns what it printed.
// The program's resource_state is handed back to it next time; shared_state
// is not kept (paved has no state shared between resources), and a program
// that prints some is told so in the log.
func (d *Driver) Provision(ctx context.Context, req *paved.ResourceRequest) (*paved.ResourceResult, error) {
	in, err := requestInputs(req)
	if err != nil {
		return nil, err
	}
	stdout, err := d.run(ctx, in, req, ModeProvision)
	if err != nil {
		return nil, err
	}
	out, err := decodeOutput(stdout)
	if err != nil {
		// stdout is not quoted: it may hold the very outputs (passwords) that
		// made it fail to decode. The program's stderr is in the events.
		return nil, paved.Errorf(paved.EINTERNAL, "cmd: %s printed no valid output (%d bytes: %v); it must print one JSON object with resource_outputs, resource_state, shared_state and manifests",
			in.Program, len(stdout), err)
	}
	if len(out.SharedState) > 0 && req.Log != nil {
		req.Log("cmd: shared_state from " + in.Program + " is ignored: paved keeps state per resource")
	}
	if out.ResourceOutputs == nil {
		out.ResourceOutputs = map[string]any{}
	}
	return &paved.ResourceResult{Outputs: out.ResourceOutputs, State: out.ResourceState, Manifests: out.Manifests}, nil
}

// Deprovision runs the program in deprovision mode; what it prints is
// ignored, and exit status 0 means done.
func (d *Driver) Deprovision(ctx context.Context, req *paved.ResourceRequest) error {
	in, err := requestInputs(req)
	if err != nil {
		return err
	}
	_, err = d.run(ctx, in, req, ModeDeprovision)
	return err
}

func decodeOutput(stdout []byte) (*Output, error) {
	if len(bytes.TrimSpace(stdout)) == 0 {
		return nil, errors.New("stdout is empty")
	}
	dec := json.NewDecoder(bytes.NewReader(stdout))
	dec.DisallowUnknownFields()
	var out Output
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value on stdout")
	}
	return &out, nil
}

func requestInputs(req *paved.ResourceRequest) (*inputs, error) {
	if req.Definition == nil {
		return nil, paved.Errorf(paved.EINVALID, "cmd: resource %s has no definition to read driver_inputs from", req.UID)
	}
	return parseInputs(req.Definition.Inputs)
}

func newInput(req *paved.ResourceRequest, mode string) *Input {
	sum := sha256.Sum256([]byte(req.Context.App + "\x00" + req.Context.Env + "\x00" + string(req.UID)))
	h := hex.EncodeToString(sum[:16])
	in := &Input{
		Mode:             mode,
		ResourceGUID:     h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32],
		ResourceUID:      string(req.UID),
		ResourceType:     req.UID.Type(),
		ResourceClass:    req.UID.Class(),
		ResourceID:       req.UID.ID(),
		ResourceParams:   req.Params,
		ResourceMetadata: req.Metadata,
		SourceWorkload:   req.SourceWorkload,
		WorkloadServices: map[string]NetworkService{},
		ResourceState:    req.State,
		SharedState:      map[string]any{},
		Namespace:        req.Context.Namespace,
		App:              req.Context.App,
		Env:              req.Context.Env,
		EnvType:          string(req.Context.EnvType),
	}
	for name, w := range req.Workloads {
		ns := NetworkService{ServiceName: w.ServiceName, Ports: map[string]ServicePort{}}
		for _, p := range w.Ports {
			ns.Ports[p.Name] = ServicePort(p)
		}
		for _, p := range w.Ports {
			if n := strconv.Itoa(p.Port); ns.Ports[n] == (ServicePort{}) {
				ns.Ports[n] = ServicePort(p)
			}
		}
		in.WorkloadServices[name] = ns
	}
	return in
}

// run runs the program once and returns its stdout.
func (d *Driver) run(ctx context.Context, in *inputs, req *paved.ResourceRequest, mode string) ([]byte, error) {
	input, err := json.Marshal(newInput(req, mode))
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "cmd: the resource's params, metadata or state cannot be written as JSON: %v", err)
	}
	args := make([]string, len(in.Args))
	for i, a := range in.Args {
		args[i] = strings.ReplaceAll(a, "<mode>", mode)
	}

	runCtx, cancel := context.WithTimeout(ctx, in.Timeout)
	defer cancel()
	c := exec.CommandContext(runCtx, in.Program, args...)
	inOwnGroup(c)
	// Output pipes held open by a process the program left behind do not
	// keep us waiting past this.
	c.WaitDelay = 2 * time.Second
	c.Stdin = bytes.NewReader(input)
	stdout := &cappedBuffer{max: maxStdout}
	c.Stdout = stdout
	stderr := &lineWriter{log: req.Log, prefix: "cmd: " + shortName(in.Program) + ": "}
	c.Stderr = stderr

	start := time.Now()
	err = c.Run()
	stderr.flush()
	d.logger.Debug("cmd: program ran", "program", in.Program, "mode", mode, "resource", req.UID, "elapsed", time.Since(start), "err", err)
	switch {
	case runCtx.Err() == context.DeadlineExceeded && ctx.Err() == nil:
		return nil, paved.Errorf(paved.EUNAVAILABLE, "cmd: %s (%s) did not finish within %s and was killed with its process group; raise the definition's timeout input if it needs longer%s",
			in.Program, mode, in.Timeout, stderr.tailText())
	case ctx.Err() != nil:
		return nil, fmt.Errorf("cmd: %s (%s) stopped: %w", in.Program, mode, ctx.Err())
	case err != nil:
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return nil, paved.Errorf(paved.EINTERNAL, "cmd: %s (%s) failed with exit status %d%s", in.Program, mode, exitErr.ExitCode(), stderr.tailText())
		}
		if errors.Is(err, exec.ErrWaitDelay) {
			break // it exited 0 but left something holding its output
		}
		return nil, paved.Errorf(paved.EINVALID, "cmd: program %q cannot be run: %v; check the definition's program input and the file's execute permission", in.Program, err)
	}
	if stdout.overflow {
		return nil, paved.Errorf(paved.EINTERNAL, "cmd: %s (%s) printed more than %d MiB on stdout", in.Program, mode, maxStdout>>20)
	}
	return stdout.Bytes(), nil
}

func shortName(program string) string {
	if i := strings.LastIndexByte(program, '/'); i >= 0 {
		return program[i+1:]
	}
	return program
}

// cappedBuffer keeps the first max bytes written and drops the rest, so that
// a program printing too much is neither blocked nor held in memory. (It
// does not embed bytes.Buffer, whose ReadFrom io.Copy would use instead of
// Write.)
type cappedBuffer struct {
	buf      bytes.Buffer
	max      int
	overflow bool
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.buf.Len(); len(p) > room {
		b.overflow = true
		b.buf.Write(p[:max(room, 0)])
		return len(p), nil
	}
	return b.buf.Write(p)
}

func (b *cappedBuffer) Bytes() []byte { return b.buf.Bytes() }

// lineWriter passes a program's stderr line by line to a log, up to
// maxLogLines, and keeps the last tailLines lines for errors.
type lineWriter struct {
	log     func(string)
	prefix  string
	partial []byte
	logged  int
	tail    []string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if room := maxLineBytes - len(w.partial); room > 0 {
				w.partial = append(w.partial, p[:min(room, len(p))]...)
			}
			break
		}
		if room := maxLineBytes - len(w.partial); room > 0 {
			w.partial = append(w.partial, p[:min(room, i)]...)
		}
		w.line()
		p = p[i+1:]
	}
	return n, nil
}

func (w *lineWriter) flush() {
	if len(w.partial) > 0 {
		w.line()
	}
}

func (w *lineWriter) line() {
	s := strings.TrimRight(string(w.partial), "\r")
	w.partial = w.partial[:0]
	w.tail = append(w.tail, s)
	if len(w.tail) > tailLines {
		w.tail = w.tail[1:]
	}
	if w.log == nil {
		return
	}
	switch {
	case w.logged < maxLogLines:
		w.log(w.prefix + s)
	case w.logged == maxLogLines:
		w.log(w.prefix + "(further stderr lines are not logged)")
	}
	w.logged++
}

// tailText is the end of stderr to append to an error message.
func (w *lineWriter) tailText() string {
	if len(w.tail) == 0 {
		return " (stderr was empty)"
	}
	return "; stderr ends with:\n" + strings.Join(w.tail, "\n")
}
