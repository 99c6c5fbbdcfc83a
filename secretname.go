package paved

import "regexp"

// The names that look like they hold a secret, as the security policy pack
// tells them (policy/packs/security.rego, secret_name: a test keeps the two
// alike), and the names of where a secret is, not of the secret.
const (
	SecretNamePattern  = `(?i)(passw(or)?d|secret|token|api[_-]?key|private[_-]?key|credential)`
	SecretWherePattern = `(?i)_(url|uri|file|path|dir|endpoint|host|name|id)$`
)

var (
	secretNameRE  = regexp.MustCompile(SecretNamePattern)
	secretWhereRE = regexp.MustCompile(SecretWherePattern)
	// An output named key or connection string holds one too.
	secretOutputRE = regexp.MustCompile(`(?i)(^|[_-])(key|connection|connection[_-]?string|conn[_-]?str|dsn)$`)
)

// SecretName reports whether a variable or output name looks like it holds
// a secret: password, secret_key, api_token, private_key, key, connection,
// dsn...; not db_password_file or token_url, which say where one is.
func SecretName(name string) bool {
	return (secretNameRE.MatchString(name) || secretOutputRE.MatchString(name)) && !secretWhereRE.MatchString(name)
}
