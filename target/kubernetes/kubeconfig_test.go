package kubernetes

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"paved.dev/paved"
	"paved.dev/paved/kubetest"
)

// kubeconfigWith is a kubeconfig for server whose user "tenant" (and
// cluster "c") are changed by edit.
func kubeconfigWith(t *testing.T, server string, edit func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster)) []byte {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["c"] = &clientcmdapi.Cluster{Server: server}
	cfg.AuthInfos["tenant"] = &clientcmdapi.AuthInfo{}
	cfg.Contexts["x"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "tenant"}
	cfg.CurrentContext = "x"
	edit(cfg.AuthInfos["tenant"], cfg.Clusters["c"])
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestKubeconfigThatActsOnTheServerIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "token")
	if err := os.WriteFile(file, []byte("t"), 0o600); err != nil {
		t.Fatal(err)
	}
	exec := &clientcmdapi.ExecConfig{APIVersion: "client.authentication.k8s.io/v1", Command: "aws",
		Args: []string{"eks", "get-token"}, InteractiveMode: clientcmdapi.NeverExecInteractiveMode}
	certPEM, keyPEM := selfSigned(t)
	exec2 := *exec
	exec2.Command = "gke-gcloud-auth-plugin"
	tests := []struct {
		name     string
		edit     func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster)
		opts     []Option
		contains []string // empty: accepted
	}{
		{"inline token", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) { u.Token = "t" }, nil, nil},
		{"inline certificates", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) {
			u.ClientCertificateData, u.ClientKeyData, c.CertificateAuthorityData = certPEM, keyPEM, certPEM
		}, nil, nil},
		{"basic auth and impersonation", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) {
			u.Username, u.Password, u.Impersonate, u.ImpersonateGroups = "u", "p", "deployer", []string{"g"}
		}, nil, nil},
		{"exec", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) { u.Exec = exec }, nil,
			[]string{`user "tenant" has an exec plugin (exec: command "aws")`, "token, or client-certificate-data and client-key-data", "(WithInsecureKubeconfigExec)"}},
		{"exec allowed", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) { u.Exec = exec }, []Option{WithInsecureKubeconfigExec(true)}, nil},
		{"auth provider", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) {
			u.AuthProvider = &clientcmdapi.AuthProviderConfig{Name: "oidc"}
		}, nil, []string{`user "tenant" has an auth-provider (oidc)`, "(WithInsecureKubeconfigExec)"}},
		{"token file", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) { u.TokenFile = file }, nil,
			[]string{`user "tenant" reads the local file tokenFile: ` + file, "inline as token", "(WithInsecureKubeconfigFiles)"}},
		{"token file allowed", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) { u.TokenFile = file },
			[]Option{WithInsecureKubeconfigFiles(true)}, nil},
		{"files are not exec", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) { u.TokenFile = file },
			[]Option{WithInsecureKubeconfigExec(true)}, []string{"tokenFile"}},
		{"client certificate file", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) {
			u.ClientCertificate, u.ClientKeyData = "/etc/paved/tls.crt", []byte("k")
		}, nil, []string{"client-certificate: /etc/paved/tls.crt", "inline as client-certificate-data"}},
		{"client key file", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) {
			u.ClientCertificateData, u.ClientKey = []byte("c"), "/etc/paved/tls.key"
		}, nil, []string{"client-key: /etc/paved/tls.key", "inline as client-key-data"}},
		{"CA file", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) {
			u.Token, c.CertificateAuthority = "t", "/etc/ssl/ca.crt"
		}, nil, []string{`cluster "c" reads the local file certificate-authority: /etc/ssl/ca.crt`, "inline as certificate-authority-data"}},
		{"two problems", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) {
			u.Exec, c.CertificateAuthority = exec, "/ca"
		}, nil, []string{"exec plugin", "certificate-authority: /ca"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := kubeconfigWith(t, "https://k8s.example", tt.edit)
			_, err := FromKubeconfig(data, "", append([]Option{WithName("tenant-a")}, tt.opts...)...)
			if len(tt.contains) == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			assertError(t, err, paved.EINVALID, append([]string{`kubernetes target "tenant-a"`, "act on its own machine"}, tt.contains...)...)
			// The option a refusal names is its cause too, for programs
			// that name their own settings.
			for cause, option := range map[error]string{ErrKubeconfigExec: "(WithInsecureKubeconfigExec)", ErrKubeconfigFiles: "(WithInsecureKubeconfigFiles)"} {
				if want := strings.Contains(err.Error(), option); errors.Is(err, cause) != want {
					t.Errorf("errors.Is(err, %v) = %v, want %v", cause, !want, want)
				}
			}
		})
	}

	// Only the context in use counts: a kubeconfig may keep other users.
	cfg, err := clientcmd.Load(kubeconfigWith(t, "https://k8s.example", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) { u.Token = "t" }))
	if err != nil {
		t.Fatal(err)
	}
	cfg.AuthInfos["laptop"] = &clientcmdapi.AuthInfo{Exec: &exec2}
	cfg.Contexts["laptop"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "laptop"}
	data, err := clientcmd.Write(*cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromKubeconfig(data, "x"); err != nil {
		t.Errorf("an unused exec user refused the kubeconfig: %v", err)
	}
	_, err = FromKubeconfig(data, "laptop")
	assertError(t, err, paved.EINVALID, `user "laptop" has an exec plugin (exec: command "gke-gcloud-auth-plugin")`)

	// A kubeconfig file is checked alike.
	path := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, kubeconfigWith(t, "https://k8s.example", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) { u.Exec = exec }), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Open(Config{Name: "from-file", KubeconfigPath: path})
	assertError(t, err, paved.EINVALID, `kubernetes target "from-file"`, "exec plugin")
}

// With the options, what the kubeconfig names really runs and is read, and
// the real apiserver accepts the credentials it yields.
func TestKubeconfigExecAndFilesWhenAllowed(t *testing.T) {
	t.Parallel()
	c := cluster.Get(t)
	dir := t.TempDir()
	plugin := filepath.Join(dir, "token-plugin")
	script := "#!/bin/sh\necho '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"" + kubetest.AdminToken + "\"}}'\n"
	if err := os.WriteFile(plugin, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(kubetest.AdminToken), 0o600); err != nil {
		t.Fatal(err)
	}
	base, err := clientcmd.Load(c.KubeconfigData(""))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		user clientcmdapi.AuthInfo
		opt  Option
	}{
		{"exec", clientcmdapi.AuthInfo{Exec: &clientcmdapi.ExecConfig{APIVersion: "client.authentication.k8s.io/v1",
			Command: plugin, InteractiveMode: clientcmdapi.NeverExecInteractiveMode}}, WithInsecureKubeconfigExec(true)},
		{"token file", clientcmdapi.AuthInfo{TokenFile: tokenFile}, WithInsecureKubeconfigFiles(true)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base.DeepCopy()
			for _, u := range cfg.AuthInfos {
				*u = tt.user
			}
			data, err := clientcmd.Write(*cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := FromKubeconfig(data, ""); paved.ErrorCode(err) != paved.EINVALID {
				t.Fatalf("accepted without the option: %v", err)
			}
			target, err := FromKubeconfig(data, "", tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if err := target.Probe(context.Background()); err != nil {
				t.Fatalf("probe: %v", err)
			}
		})
	}
}

func TestInstallationMustBeALabelValue(t *testing.T) {
	for _, id := range []string{"prod", "eu-west.1", "a_b", strings.Repeat("a", 63)} {
		if _, err := Open(Config{Name: "x", Kubeconfig: string(kubeconfigWith(t, "https://k", func(u *clientcmdapi.AuthInfo, c *clientcmdapi.Cluster) {}))}, WithInstallation(id)); err != nil {
			t.Errorf("installation %q refused: %v", id, err)
		}
	}
	for _, id := range []string{"-prod", "prod/eu", "with space", strings.Repeat("a", 64)} {
		_, err := New(nil, WithName("x"), WithInstallation(id))
		assertError(t, err, paved.EINVALID, `kubernetes target "x"`, "installation id", "valid label value")
	}
}

// selfSigned returns a PEM certificate and key, for a kubeconfig with
// inline TLS data that client-go parses.
func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tenant"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
}
