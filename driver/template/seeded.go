package template

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"text/template"
)

// seededNames are sprig's random functions. A template calls them as in
// sprig, but each value is derived from the environment's seed, the resource
// and the call's place in the run (graph.DeriveSecret through
// ResourceRequest.Secret): unpredictable without the seed, the same on every
// render with it. So "randomPassword: {{ randAlphaNum 16 }}" in a score-k8s
// init template gives one password that stays, as score-k8s gets by keeping
// it in its state.
var seededNames = map[string]bool{"randAlphaNum": true, "randAlpha": true, "randNumeric": true,
	"randAscii": true, "randBytes": true, "randInt": true, "uuidv4": true, "shuffle": true}

// symbols draws values in 0..61 (the alphabet of DeriveSecret) for one call.
type symbols struct {
	next func() int
}

func (d *data) symbols() (*symbols, error) {
	if d.secret == nil {
		return nil, fmt.Errorf("no seed in this context")
	}
	d.calls++
	name := "sprig#" + strconv.Itoa(d.calls)
	var buf string
	block := 0
	return &symbols{next: func() int {
		if buf == "" {
			block++
			buf = d.secret(name+"/"+strconv.Itoa(block), 64)
		}
		c := buf[0]
		buf = buf[1:]
		switch {
		case c >= 'a' && c <= 'z':
			return int(c - 'a')
		case c >= 'A' && c <= 'Z':
			return int(c-'A') + 26
		}
		return int(c-'0') + 52
	}}, nil
}

// below returns a value in 0..n-1 (n ≥ 1), every one equally likely.
func (s *symbols) below(n int) int {
	width, span := 1, 62
	for span < n {
		width++
		span *= 62
	}
	limit := span - span%n
	for {
		v := 0
		for range width {
			v = v*62 + s.next()
		}
		if v < limit {
			return v % n
		}
	}
}

func (s *symbols) text(alphabet string, n int) string {
	out := make([]byte, n)
	for i := range out {
		out[i] = alphabet[s.below(len(alphabet))]
	}
	return string(out)
}

const (
	alpha   = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	digits  = "0123456789"
	maxRand = 4096
)

// seededFuncs are the random functions for one run on d.
func (d *data) seededFuncs() template.FuncMap {
	str := func(fn, alphabet string) func(int) (string, error) {
		return func(n int) (string, error) {
			if n < 0 || n > maxRand {
				return "", fmt.Errorf("%s %d: the length must be within 0..%d", fn, n, maxRand)
			}
			s, err := d.symbols()
			if err != nil {
				return "", err
			}
			v := s.text(alphabet, n)
			d.secrets = append(d.secrets, v)
			return v, nil
		}
	}
	ascii := make([]byte, 0, 95)
	for c := byte(' '); c <= '~'; c++ {
		ascii = append(ascii, c)
	}
	return template.FuncMap{
		"randAlphaNum": str("randAlphaNum", alpha+digits),
		"randAlpha":    str("randAlpha", alpha),
		"randNumeric":  str("randNumeric", digits),
		"randAscii":    str("randAscii", string(ascii)),
		"randBytes": func(n int) (string, error) {
			if n < 0 || n > maxRand {
				return "", fmt.Errorf("randBytes %d: the length must be within 0..%d", n, maxRand)
			}
			s, err := d.symbols()
			if err != nil {
				return "", err
			}
			b := make([]byte, n)
			for i := range b {
				b[i] = byte(s.below(256))
			}
			v := base64.StdEncoding.EncodeToString(b)
			d.secrets = append(d.secrets, v)
			return v, nil
		},
		"randInt": func(lo, hi int) (int, error) {
			if hi <= lo || hi-lo > 62*62*62*62 {
				return 0, fmt.Errorf("randInt %d %d: the range must be non-empty and at most %d wide", lo, hi, 62*62*62*62)
			}
			s, err := d.symbols()
			if err != nil {
				return 0, err
			}
			return lo + s.below(hi-lo), nil
		},
		"uuidv4": func() (string, error) {
			s, err := d.symbols()
			if err != nil {
				return "", err
			}
			h := []byte(s.text("0123456789abcdef", 32))
			h[12] = '4'
			h[16] = "89ab"[s.below(4)]
			return string(h[0:8]) + "-" + string(h[8:12]) + "-" + string(h[12:16]) + "-" + string(h[16:20]) + "-" + string(h[20:32]), nil
		},
		"shuffle": func(v string) (string, error) {
			s, err := d.symbols()
			if err != nil {
				return "", err
			}
			r := []rune(v)
			for i := len(r) - 1; i > 0; i-- {
				j := s.below(i + 1)
				r[i], r[j] = r[j], r[i]
			}
			return string(r), nil
		},
	}
}
