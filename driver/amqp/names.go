package amqp

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"paved.dev/paved"
)

// namePrefix starts every vhost and user the driver creates; deprovision
// refuses to delete a name without it.
const namePrefix = "paved_"

// maxName bounds vhost and user names; RabbitMQ allows longer, 63 keeps
// them alike to the other drivers' names.
const maxName = 63

// resourceName is the deterministic name of the vhost and user of a
// resource: "paved_<app>_<env>_<id>_<hash>", sanitized to [a-z0-9_] and cut to
// max characters. The hash of app, env and uid keeps names apart that
// sanitizing or cutting would merge.
func resourceName(dc paved.DeployContext, uid paved.ResourceUID, max int) string {
	sum := sha256.Sum256([]byte(dc.App + "\x00" + dc.Env + "\x00" + string(uid)))
	suffix := "_" + hex.EncodeToString(sum[:4])
	var parts []string
	for _, s := range []string{dc.App, dc.Env, uid.ID()} {
		if s = sanitize(s); s != "" {
			parts = append(parts, s)
		}
	}
	readable := namePrefix + strings.Join(parts, "_")
	if len(readable) > max-len(suffix) {
		readable = strings.TrimRight(readable[:max-len(suffix)], "_")
	}
	return readable + suffix
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

// newPassword returns 26 random characters from [A-Z2-7]: 130 bits that need
// no quoting in a URI.
func newPassword() string { return rand.Text() }
