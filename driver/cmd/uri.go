package cmd

import (
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// cmdURI is a score-k8s provisioner URI that names a program:
//
//	cmd://name            name looked up on PATH (no path after it)
//	cmd:///abs/path       an absolute path
//	cmd://./rel/path      relative to the working directory
//	cmd://../rel/path     relative to the working directory's parent
//	cmd://~/path          relative to the home directory
//
// A fragment (cmd://bash#redis-helm) only tells definitions apart, as in
// score-k8s; it is not part of the path. The working and home directories are
// those of the paved server process, looked up when the program runs.
type cmdURI struct {
	raw  string
	host string // "", ".", "..", "~" or a name
	path string // unescaped, "/..." or ""
	frag string
}

// parseURI checks the syntax of a cmd:// URI without looking anything up, so
// that a definition can be loaded where the program is not installed.
func parseURI(raw string) (*cmdURI, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("uri %q is not a URI: %v", raw, err)
	}
	switch {
	case u.Scheme != "cmd" || u.Opaque != "":
		return nil, fmt.Errorf(`uri %q must start with "cmd://", e.g. "cmd://python3", "cmd:///opt/provisioners/s3" or "cmd://./provisioners/s3"`, raw)
	case u.User != nil:
		return nil, fmt.Errorf("uri %q must not hold user info", raw)
	case u.Port() != "":
		return nil, fmt.Errorf("uri %q must not hold a port", raw)
	case u.RawQuery != "":
		return nil, fmt.Errorf("uri %q must not hold query parameters: put arguments in args", raw)
	}
	c := &cmdURI{raw: raw, host: u.Hostname(), path: u.Path, frag: u.Fragment}
	switch c.host {
	case "":
		if strings.Trim(c.path, "/") == "" {
			return nil, fmt.Errorf(`uri %q names no program: write "cmd://name" for a program on PATH or "cmd:///path/to/program"`, raw)
		}
	case ".", "..", "~":
		if strings.Trim(c.path, "/") == "" {
			return nil, fmt.Errorf(`uri %q names a directory, not a program: add its path, e.g. "cmd://%s/bin/provisioner"`, raw, c.host)
		}
	default:
		if c.path != "" {
			return nil, fmt.Errorf(`uri %q names a program on PATH and must not have a path after it: write "cmd:///%s%s" for an absolute path or "cmd://./%s%s" for one relative to the working directory`, raw, c.host, c.path, c.host, c.path)
		}
	}
	return c, nil
}

// resolve returns the program's path as score-k8s would find it.
func (c *cmdURI) resolve() (string, error) {
	var base string
	switch c.host {
	case "":
		return filepath.Clean(c.path), nil
	case "~":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("uri %q: the home directory is not known: %v", c.raw, err)
		}
		base = home
	case ".", "..":
		wd, err := os.Getwd()
		if err != nil {
			return "", fmt.Errorf("uri %q: the working directory is not known: %v", c.raw, err)
		}
		base = wd
		if c.host == ".." {
			base = filepath.Dir(wd)
		}
	default:
		p, err := exec.LookPath(c.host)
		if err != nil {
			return "", fmt.Errorf("uri %q: %q is not found on PATH: %v", c.raw, c.host, err)
		}
		return p, nil
	}
	return filepath.Join(base, c.path), nil
}

// label is a short name for log lines: the program's base name and the
// fragment that tells definitions running the same interpreter apart.
func (c *cmdURI) label() string {
	name := c.host
	if c.path != "" {
		name = filepath.Base(c.path)
	}
	if c.frag != "" {
		name += "#" + c.frag
	}
	return name
}
