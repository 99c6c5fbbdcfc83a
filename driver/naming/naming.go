// Package naming derives the names of what paved's drivers create on a
// shared server (databases, roles, users, vhosts): deterministic, readable
// and apart for every resource, so that provisioning again or without state
// finds the same names, and deprovisioning touches only names paved made.
package naming

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"paved.dev/paved"
)

// Prefix starts every name the drivers create; deprovisioning refuses to
// drop a name without it.
const Prefix = "paved_"

// Resource is the deterministic name of what a driver creates for a
// resource: "paved_<app>_<env>_<id>_<hash>", sanitized to [a-z0-9_] and cut
// to max characters, the server's limit. The hash of app, env, uid and the
// definition keeps names apart that sanitizing or cutting would merge, and
// the spaces of two definitions of one resource apart: when another
// definition re-provisions a resource on the same server, the old space
// stays the orphan's, with its data, and pruning it never drops the new one.
func Resource(dc paved.DeployContext, uid paved.ResourceUID, definition string, max int) string {
	sum := sha256.Sum256([]byte(dc.App + "\x00" + dc.Env + "\x00" + string(uid) + "\x00" + definition))
	suffix := "_" + hex.EncodeToString(sum[:4])
	var parts []string
	for _, s := range []string{dc.App, dc.Env, uid.ID()} {
		if s = sanitize(s); s != "" {
			parts = append(parts, s)
		}
	}
	readable := Prefix + strings.Join(parts, "_")
	if len(readable) > max-len(suffix) {
		readable = strings.TrimRight(readable[:max-len(suffix)], "_")
	}
	return readable + suffix
}

// Owned tells whether name, read back from a resource's state, is one paved
// may touch: it has the prefix and fits in max characters.
func Owned(name string, max int) bool {
	return strings.HasPrefix(name, Prefix) && len(name) <= max
}

func sanitize(s string) string {
	var b strings.Builder
	underscore := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			underscore = false
		} else if !underscore && b.Len() > 0 {
			b.WriteByte('_')
			underscore = true
		}
	}
	return strings.TrimRight(b.String(), "_")
}
