package paved

// Sealer encrypts what paved keeps at rest (resource secrets, driver state,
// Secret values in snapshots, secret definition inputs, kubeconfigs). The
// additional data ties a sealed value to where it belongs, so that it cannot
// be moved elsewhere and opened.
type Sealer interface {
	Seal(plaintext, ad []byte) []byte
	Open(sealed, ad []byte) ([]byte, error)
	// SealString and OpenString work on text, for JSON-shaped values.
	SealString(v, ad string) string
	OpenString(v, ad string) (string, error)
	// IsSealed reports whether a string is a sealed value.
	IsSealed(v string) bool
	// Derive returns a key for a purpose, derived from the sealing key.
	Derive(label string) []byte
}
