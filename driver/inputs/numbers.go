package inputs

import (
	"strconv"
	"time"
)

// Port reads an optional TCP port: a whole number from 1 to 65535, or a
// string that holds one. It returns def when the input is missing, null or
// not a port.
func (r *Reader) Port(name string, def int) int {
	v, _ := r.Value(name)
	if v == nil {
		return def
	}
	p := -1
	switch v := v.(type) {
	case int:
		p = v
	case int64:
		p = int(v)
	case uint64:
		p = int(v)
	case float64:
		if float64(int(v)) == v {
			p = int(v)
		}
	case string:
		if n, err := strconv.Atoi(v); err == nil {
			p = n
		}
	}
	if p < 1 || p > 65535 {
		r.Problemf("%s must be a TCP port number from 1 to 65535 (default %d)", name, def)
		return def
	}
	return p
}

// Duration reads an optional duration: a Go duration such as "90s" or "2m",
// or a number of seconds, as a number or a string. It must be more than 0 and
// at most max; it returns def when the input is missing, null or not such a
// duration.
func (r *Reader) Duration(name string, def, max time.Duration) time.Duration {
	v, _ := r.Value(name)
	if v == nil {
		return def
	}
	var d time.Duration
	switch v := v.(type) {
	case string:
		var err error
		if d, err = time.ParseDuration(v); err != nil {
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				r.Problemf(`%s %q is not a duration: write it like "90s" or "2m", or as a number of seconds`, name, v)
				return def
			}
			d = time.Duration(n * float64(time.Second))
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
		r.Problemf(`%s must be a duration like "90s" or a number of seconds`, name)
		return def
	}
	if d <= 0 || d > max {
		r.Problemf("%s must be more than 0 and at most %s", name, max)
		return def
	}
	return d
}
