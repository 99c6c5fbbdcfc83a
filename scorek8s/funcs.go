package scorek8s

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"

	"paved.dev/paved"
)

// Funcs is paved's one template function library, for the template
// driver's templates and for patch templates: sprig's functions (the
// library score-k8s gives its templates) and paved's own where sprig has
// none, or where paved's definitions were written for another form: get
// with an optional default, quote as JSON, shortHash. Sprig's functions that read the server's environment, the network
// or the clock, or that are random, are left out: a template sees only its
// input, and renders byte for byte the same for the same input (the template
// driver gives the random ones back, derived from the environment's seed).
func Funcs() template.FuncMap {
	f := sprig.HermeticTxtFuncMap()
	for _, name := range unstable {
		delete(f, name)
	}
	// required is Helm's, not sprig's: the value, or an error saying msg
	// when it is nil or "".
	f["required"] = func(msg string, v any) (any, error) {
		if s, ok := v.(string); v == nil || ok && s == "" {
			return nil, fmt.Errorf("%s", msg)
		}
		return v, nil
	}
	f["get"] = get
	f["quote"] = quote
	f["shortHash"] = func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:4]) }
	f["dnsLabel"] = paved.DNSLabel
	f["encodeSecretRef"] = EncodeSecretRef
	return f
}

// get is sprig's get (the value of key in m, "" when it has none) that
// takes, as paved's get always did, a default for a missing or null value:
// {{ get .Params "size" "1Gi" }}.
func get(m map[string]any, key string, def ...any) (any, error) {
	if len(def) > 1 {
		return nil, fmt.Errorf("get MAP KEY [DEFAULT]: %d defaults given, at most one", len(def))
	}
	if v, ok := m[key]; ok && (v != nil || len(def) == 0) {
		return v, nil
	}
	if len(def) == 1 {
		return def[0], nil
	}
	return "", nil
}

// quote writes each argument that is not nil as a JSON string, joined by
// spaces as sprig's quote does: YAML (and Go) read a JSON string as the same
// string, whatever it holds, where sprig's Go quoting differs for invalid
// UTF-8.
func quote(args ...any) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		if a == nil {
			continue
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(fmt.Sprint(a)) // a string always encodes
		parts = append(parts, strings.TrimSuffix(b.String(), "\n"))
	}
	return strings.Join(parts, " ")
}

// unstable are sprig functions HermeticTxtFuncMap keeps that still depend on
// time or randomness: a relative time, random salts and keys, random IVs.
var unstable = []string{"ago", "bcrypt", "htpasswd", "genPrivateKey",
	"buildCustomCert", "genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey",
	"genSignedCert", "genSignedCertWithKey", "encryptAES"}
