package postgres

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"paved.dev/paved"
)

// namePrefix starts every database and role the driver creates; deprovision
// refuses to drop a name without it.
const namePrefix = "paved_"

// maxIdentifier is PostgreSQL's limit on identifiers (NAMEDATALEN-1).
const maxIdentifier = 63

// resourceName is the deterministic name of the database and role of a
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
// no quoting in a URI or a connection string.
func newPassword() string { return rand.Text() }

// scramVerifier returns the SCRAM-SHA-256 verifier PostgreSQL stores for
// password, so that the plain password never reaches the server, its logs or
// pg_stat_statements.
func scramVerifier(password string) (string, error) {
	const iterations = 4096
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	salted, err := pbkdf2.Key(sha256.New, password, salt, iterations, sha256.Size)
	if err != nil {
		return "", err
	}
	storedKey := sha256.Sum256(hmacSHA256(salted, "Client Key"))
	serverKey := hmacSHA256(salted, "Server Key")
	b64 := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", iterations, b64(salt), b64(storedKey[:]), b64(serverKey)), nil
}

func hmacSHA256(key []byte, msg string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}

// quoteLiteral quotes s as an SQL string literal (standard_conforming_strings
// is on by default since PostgreSQL 9.1).
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
