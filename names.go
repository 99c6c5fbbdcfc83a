package paved

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

var namePattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// ValidateName checks an app, environment, team or user name: names become
// parts of namespaces, labels and file paths, so each must be a DNS label.
func ValidateName(field, name string) error {
	if !namePattern.MatchString(name) {
		return Errorf(EINVALID, "%s: %q must be 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit", field, name)
	}
	return nil
}

// DNSLabel joins parts with "-" into a valid DNS label (RFC 1123, at most 63
// characters): lower-cased, other characters turned into "-", and a short
// hash of the whole kept when it must be cut, so that names stay unique.
func DNSLabel(parts ...string) string {
	whole := strings.Join(parts, "-")
	var b strings.Builder
	for _, r := range strings.ToLower(whole) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-")
	for strings.Contains(s, "--") {
		s = strings.ReplaceAll(s, "--", "-")
	}
	if len(s) > 63 {
		h := sha256.Sum256([]byte(whole))
		s = strings.TrimRight(s[:min(len(s), 54)], "-") + "-" + hex.EncodeToString(h[:4])
	}
	if s == "" {
		return "x"
	}
	return s
}

// Namespace is the default namespace of an app's environment: "<app>-<env>".
func Namespace(app, env string) string { return DNSLabel(app, env) }
