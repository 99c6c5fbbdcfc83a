package cmd

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	driverinputs "paved.dev/paved/driver/inputs"
)

// DefaultTimeout is how long a program may run when the definition says
// nothing.
const DefaultTimeout = 60 * time.Second

// maxTimeout bounds the timeout input.
const maxTimeout = time.Hour

// inputs are a definition's driver_inputs, checked.
type inputs struct {
	// Name is the program as the definition names it (its uri or program
	// input), for messages.
	Name string
	// label is the short name that prefixes its stderr lines in the log.
	label   string
	program string  // the program input: a path, or a name on PATH
	uri     *cmdURI // the uri input, when given instead
	lead    []arg   // arguments after the path in a program list
	args    []arg
	// TemplateArgs renders every argument as a Go text/template.
	TemplateArgs bool
	Check        modeArgs
	Deprovision  modeArgs
	Timeout      time.Duration
}

// arg is one argument and where the definition gives it, for messages.
type arg struct {
	where string // "args[2]"
	text  string
}

// modeArgs says whether the program has a mode (check, deprovision) and with
// which arguments it runs in it.
type modeArgs struct {
	on bool
	// own replaces the definition's args in this mode; nil keeps them.
	own []arg
}

func parseInputs(m map[string]any) (*inputs, error) {
	r := driverinputs.NewReader("cmd", m)
	in := &inputs{}
	readProgram(r, in)
	// source: the provisioner file a definition was translated from
	// (scorek8s.Translate), named with the program in messages.
	if src, _ := r.Value("source"); src != nil {
		s, ok := src.(string)
		if !ok {
			r.Problemf("source must be a string: the file the definition came from")
		} else if s != "" {
			in.Name += " (" + s + ")"
		}
	}
	in.args = readArgs(r, "args")
	tmpl, _ := r.Value("template_args")
	switch t := tmpl.(type) {
	case nil:
	case bool:
		in.TemplateArgs = t
	default:
		r.Problemf("template_args must be true or false")
	}
	in.Check = readMode(r, "check")
	in.Deprovision = readMode(r, "deprovision")
	in.Timeout = r.Duration("timeout", DefaultTimeout, maxTimeout)
	if in.TemplateArgs {
		for _, a := range in.allArgs() {
			if _, err := parseArgTemplate(a); err != nil {
				r.Problemf("%v", err)
			}
		}
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return in, nil
}

// readProgram reads program or uri: exactly one of them names the program.
func readProgram(r *driverinputs.Reader, in *inputs) {
	program, programGiven := r.Value("program")
	uri, uriGiven := r.Value("uri")
	switch {
	case programGiven && uriGiven:
		r.Problemf("program and uri both name the program: keep one")
		return
	case uriGiven:
		s, ok := uri.(string)
		if !ok {
			r.Problemf(`uri must be a string such as "cmd://python3" or "cmd:///opt/provisioners/s3"`)
			return
		}
		u, err := parseURI(s)
		if err != nil {
			r.Problemf("%v", err)
			return
		}
		in.uri, in.Name, in.label = u, s, u.label()
		return
	}
	switch p := program.(type) {
	case nil:
		r.Problemf(`program is required: set it to the path of the provisioner program, e.g. "/opt/paved/provisioners/bucket", or a list of the path and its first arguments; or set uri to a score-k8s "cmd://" URI`)
		return
	case string:
		in.program = p
	case []any:
		for i, a := range p {
			s, ok := a.(string)
			if !ok {
				r.Problemf("program[%d] must be a string", i)
				return
			}
			if i == 0 {
				in.program = s
			} else {
				in.lead = append(in.lead, arg{fmt.Sprintf("program[%d]", i), s})
			}
		}
	default:
		r.Problemf("program must be a string (the program's path) or a list of strings (the path and arguments)")
		return
	}
	switch {
	case strings.TrimSpace(in.program) == "":
		r.Problemf("program must name a program")
	case strings.HasPrefix(in.program, "cmd:"):
		r.Problemf("program holds a cmd:// URI: set uri to it instead, and remove program")
	}
	in.Name, in.label = in.program, filepath.Base(in.program)
}

func readArgs(r *driverinputs.Reader, name string) []arg {
	var out []arg
	for i, s := range r.StringList(name) {
		out = append(out, arg{fmt.Sprintf("%s[%d]", name, i), s})
	}
	return out
}

// readMode reads check or deprovision: true runs the program in that mode
// with the definition's args, a list of strings runs it with those instead,
// and false or nothing means the program has no such mode.
func readMode(r *driverinputs.Reader, name string) modeArgs {
	v, _ := r.Value(name)
	switch t := v.(type) {
	case nil:
		return modeArgs{}
	case bool:
		return modeArgs{on: t}
	case []any:
		own := []arg{}
		for i, e := range t {
			s, ok := e.(string)
			if !ok {
				r.Problemf("%s[%d] must be a string", name, i)
				continue
			}
			own = append(own, arg{fmt.Sprintf("%s[%d]", name, i), s})
		}
		return modeArgs{on: true, own: own}
	default:
		r.Problemf("%s must be true, false, or the list of arguments the program runs with in %s mode", name, name)
		return modeArgs{}
	}
}

// argsFor returns the arguments of a run in mode: those after the path in a
// program list, then the mode's own or the definition's args.
func (in *inputs) argsFor(mode string) []arg {
	out := append([]arg(nil), in.lead...)
	switch {
	case mode == ModeCheck && in.Check.own != nil:
		return append(out, in.Check.own...)
	case mode == ModeDeprovision && in.Deprovision.own != nil:
		return append(out, in.Deprovision.own...)
	}
	return append(out, in.args...)
}

func (in *inputs) allArgs() []arg {
	out := append(append([]arg(nil), in.lead...), in.args...)
	return append(append(out, in.Check.own...), in.Deprovision.own...)
}

// path is what to execute: the program input as it is (exec looks a bare
// name up on PATH), or the uri resolved as score-k8s resolves it.
func (in *inputs) path() (string, error) {
	if in.uri == nil {
		return in.program, nil
	}
	return in.uri.resolve()
}

// source is the input that names the program, for messages.
func (in *inputs) source() string {
	if in.uri != nil {
		return "uri"
	}
	return "program"
}
