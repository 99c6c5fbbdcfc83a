package kubetest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
)

type authFiles struct {
	tokens    string
	saPublic  string
	saPrivate string
}

// writeAuthFiles writes the static token file (an admin in system:masters and
// a user without rights) and the RSA key pair the apiserver signs service
// account tokens with.
func writeAuthFiles(dir string) (authFiles, error) {
	f := authFiles{
		tokens:    filepath.Join(dir, "tokens.csv"),
		saPublic:  filepath.Join(dir, "sa.pub"),
		saPrivate: filepath.Join(dir, "sa.key"),
	}
	tokens := AdminToken + `,admin,admin,"system:masters"` + "\n" +
		NobodyToken + ",nobody,nobody\n"
	if err := os.WriteFile(f.tokens, []byte(tokens), 0o600); err != nil {
		return f, fmt.Errorf("write token file: %w", err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return f, fmt.Errorf("generate service account key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return f, fmt.Errorf("marshal service account key: %w", err)
	}
	priv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	if err := os.WriteFile(f.saPrivate, priv, 0o600); err != nil {
		return f, fmt.Errorf("write service account key: %w", err)
	}
	if err := os.WriteFile(f.saPublic, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}), 0o600); err != nil {
		return f, fmt.Errorf("write service account key: %w", err)
	}
	return f, nil
}

// kubeconfigYAML is a kubeconfig for one cluster, user and context, all
// called "kubetest".
func kubeconfigYAML(host string, caData []byte, token string) []byte {
	return fmt.Appendf(nil, `apiVersion: v1
kind: Config
clusters:
- name: kubetest
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: kubetest
  user:
    token: %s
contexts:
- name: kubetest
  context:
    cluster: kubetest
    user: kubetest
current-context: kubetest
`, host, base64.StdEncoding.EncodeToString(caData), token)
}
