package amqp

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"paved.dev/paved"
)

// inputs are a definition's driver_inputs, checked.
type inputs struct {
	ManagementURL *url.URL // base of the management HTTP API, without a trailing slash
	Host          string   // AMQP host given to workloads
	Port          int      // AMQP port given to workloads
	Username      string
	Password      string // secret: never logged, never in an error
}

func (in *inputs) addr() string { return net.JoinHostPort(in.Host, strconv.Itoa(in.Port)) }

func (in *inputs) api() string { return in.ManagementURL.Redacted() }

func parseInputs(m map[string]any) (*inputs, error) {
	r := inputReader{driver: "amqp", m: m}
	raw := r.str("management_url", true, `the RabbitMQ management API's base URL, e.g. "http://127.0.0.1:15672"`)
	in := &inputs{
		Host:     r.str("host", false, ""),
		Port:     r.port("port", 5672),
		Username: r.str("username", true, "a RabbitMQ user with the administrator tag"),
		Password: r.str("password", false, ""),
	}
	if raw != "" {
		u, err := url.Parse(raw)
		switch {
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			r.problems = append(r.problems, `management_url must be an http or https URL such as "http://127.0.0.1:15672"`)
		case u.User != nil:
			r.problems = append(r.problems, "management_url must not hold credentials: set username and password instead")
		default:
			u.Path = strings.TrimRight(u.Path, "/")
			u.RawQuery, u.Fragment = "", ""
			in.ManagementURL = u
			if in.Host == "" {
				in.Host = u.Hostname()
			}
		}
	}
	if err := r.err(); err != nil {
		return nil, err
	}
	return in, nil
}

// inputReader reads driver inputs decoded from YAML or JSON, collecting every
// problem so that one error tells all there is to fix. It never puts a value
// in a message, so that a secret given in the wrong place does not leak.
type inputReader struct {
	driver   string
	m        map[string]any
	known    []string
	problems []string
}

func (r *inputReader) str(name string, required bool, hint string) string {
	r.known = append(r.known, name)
	v, ok := r.m[name]
	if !ok || v == nil {
		if required {
			r.problems = append(r.problems, fmt.Sprintf("%s is required: set it to %s", name, hint))
		}
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.problems = append(r.problems, fmt.Sprintf("%s must be a string, not %s", name, typeName(v)))
		return ""
	}
	if required && strings.TrimSpace(s) == "" {
		r.problems = append(r.problems, fmt.Sprintf("%s must not be empty: set it to %s", name, hint))
	}
	return s
}

func (r *inputReader) port(name string, def int) int {
	r.known = append(r.known, name)
	v, ok := r.m[name]
	if !ok || v == nil {
		return def
	}
	var p int
	switch v := v.(type) {
	case int:
		p = v
	case int64:
		p = int(v)
	case uint64:
		p = int(v)
	case float64:
		p = int(v)
		if float64(p) != v {
			p = -1
		}
	case string:
		n, err := strconv.Atoi(v)
		if err != nil {
			p = -1
		} else {
			p = n
		}
	default:
		p = -1
	}
	if p < 1 || p > 65535 {
		r.problems = append(r.problems, fmt.Sprintf("%s must be a TCP port number from 1 to 65535 (default %d)", name, def))
		return def
	}
	return p
}

// err reports the problems found and any input that no reader asked for.
func (r *inputReader) err() error {
	var unknown []string
	for k := range r.m {
		if !slices.Contains(r.known, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		r.problems = append(r.problems, fmt.Sprintf("unknown input %q: the inputs are %s", k, strings.Join(r.known, ", ")))
	}
	if len(r.problems) == 0 {
		return nil
	}
	return paved.Errorf(paved.EINVALID, "%s driver_inputs: %s", r.driver, strings.Join(r.problems, "; "))
}

func typeName(v any) string {
	switch v.(type) {
	case bool:
		return "a boolean"
	case int, int64, uint64, float64:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	default:
		return fmt.Sprintf("%T", v)
	}
}
