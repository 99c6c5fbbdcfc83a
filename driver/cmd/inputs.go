package cmd

import (
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
	Program string
	Args    []string
	Timeout time.Duration
}

func parseInputs(m map[string]any) (*inputs, error) {
	r := driverinputs.NewReader("cmd", m)
	in := &inputs{}
	program, given := r.Value("program")
	programOK := true
	switch p := program.(type) {
	case nil:
		programOK = false
		r.Problemf(`program is required: set it to the path of the provisioner program, e.g. "/opt/paved/provisioners/bucket", or a list of the path and its first arguments`)
	case string:
		in.Program = p
	case []any:
		for i, a := range p {
			s, ok := a.(string)
			if !ok {
				programOK = false
				r.Problemf("program[%d] must be a string", i)
				continue
			}
			if i == 0 {
				in.Program = s
			} else {
				in.Args = append(in.Args, s)
			}
		}
	default:
		programOK = false
		r.Problemf("program must be a string (the program's path) or a list of strings (the path and arguments)")
	}
	if given && programOK && strings.TrimSpace(in.Program) == "" {
		r.Problemf("program must name a program")
	}
	in.Args = append(in.Args, r.StringList("args")...)
	in.Timeout = r.Duration("timeout", DefaultTimeout, maxTimeout)
	if err := r.Err(); err != nil {
		return nil, err
	}
	return in, nil
}
