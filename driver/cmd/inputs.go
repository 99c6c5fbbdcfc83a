package cmd

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"paved.dev/paved"
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
	in := &inputs{Timeout: DefaultTimeout}
	var problems []string
	var known = []string{"program", "args", "timeout"}

	switch p := m["program"].(type) {
	case nil:
		problems = append(problems, `program is required: set it to the path of the provisioner program, e.g. "/opt/paved/provisioners/bucket", or a list of the path and its first arguments`)
	case string:
		in.Program = p
	case []any:
		for i, a := range p {
			s, ok := a.(string)
			if !ok {
				problems = append(problems, fmt.Sprintf("program[%d] must be a string", i))
				continue
			}
			if i == 0 {
				in.Program = s
			} else {
				in.Args = append(in.Args, s)
			}
		}
	default:
		problems = append(problems, "program must be a string (the program's path) or a list of strings (the path and arguments)")
	}
	if _, given := m["program"]; given && strings.TrimSpace(in.Program) == "" && len(problems) == 0 {
		problems = append(problems, "program must name a program")
	}

	switch a := m["args"].(type) {
	case nil:
	case []any:
		for i, v := range a {
			s, ok := v.(string)
			if !ok {
				problems = append(problems, fmt.Sprintf("args[%d] must be a string", i))
				continue
			}
			in.Args = append(in.Args, s)
		}
	default:
		problems = append(problems, "args must be a list of strings")
	}

	if v, ok := m["timeout"]; ok && v != nil {
		d, err := parseTimeout(v)
		if err != nil {
			problems = append(problems, err.Error())
		} else {
			in.Timeout = d
		}
	}

	var unknown []string
	for k := range m {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		problems = append(problems, fmt.Sprintf("unknown input %q: the inputs are %s", k, strings.Join(known, ", ")))
	}
	if len(problems) > 0 {
		return nil, paved.Errorf(paved.EINVALID, "cmd driver_inputs: %s", strings.Join(problems, "; "))
	}
	return in, nil
}

// parseTimeout reads a Go duration ("90s", "2m") or a number of seconds.
func parseTimeout(v any) (time.Duration, error) {
	var d time.Duration
	switch v := v.(type) {
	case string:
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			if n, err2 := strconv.ParseFloat(v, 64); err2 == nil {
				d = time.Duration(n * float64(time.Second))
			} else {
				return 0, fmt.Errorf(`timeout %q is not a duration: write it like "90s" or "2m", or as a number of seconds`, v)
			}
		}
	case int:
		d = time.Duration(v) * time.Second
	case int64:
		d = time.Duration(v) * time.Second
	case uint64:
		d = time.Duration(v) * time.Second
	case float64:
		d = time.Duration(v * float64(time.Second))
	default:
		return 0, fmt.Errorf(`timeout must be a duration like "90s" or a number of seconds`)
	}
	if d <= 0 || d > maxTimeout {
		return 0, fmt.Errorf("timeout must be more than 0 and at most %s", maxTimeout)
	}
	return d, nil
}
