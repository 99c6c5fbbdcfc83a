package kubetest

import (
	"strconv"
	"strings"
	"testing"
)

// NewNamespace returns a namespace name of its own for the test: the test's
// name made DNS-safe plus a number unique in this cluster. It does not create
// the namespace; deleting one never finishes without controllers, so every
// test gets a fresh one instead of cleaning up.
func (c *Cluster) NewNamespace(t testing.TB) string {
	n := strconv.FormatInt(c.nsCount.Add(1), 10)
	return dnsLabel(t.Name(), 62-len(n)) + "-" + n
}

// dnsLabel turns s into a lowercase RFC 1123 label of at most max characters.
func dnsLabel(s string, max int) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > max {
		out = strings.TrimRight(out[:max], "-")
	}
	if out == "" {
		out = "test"
	}
	return out
}
