package scorek8s

import (
	"fmt"
	"text/template"

	"github.com/Masterminds/sprig/v3"

	"paved.dev/paved"
)

// Funcs is paved's one template function library, for the template
// driver's templates and for patch templates: sprig's functions (the
// library score-k8s gives its templates) and paved's own where sprig has
// none. Sprig's functions that read the server's environment, the network
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
	f["dnsLabel"] = paved.DNSLabel
	f["encodeSecretRef"] = EncodeSecretRef
	return f
}

// unstable are sprig functions HermeticTxtFuncMap keeps that still depend on
// time or randomness: a relative time, random salts and keys, random IVs.
var unstable = []string{"ago", "bcrypt", "htpasswd", "genPrivateKey",
	"buildCustomCert", "genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey",
	"genSignedCert", "genSignedCertWithKey", "encryptAES"}
