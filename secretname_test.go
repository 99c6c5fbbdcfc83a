package paved

import (
	"os"
	"strings"
	"testing"
)

func TestSecretName(t *testing.T) {
	for name, want := range map[string]bool{
		"password": true, "DB_PASSWORD": true, "secret_key": true, "api_token": true, "private_key": true,
		"key": true, "connection": true, "connection_string": true, "dsn": true, "credentials": true,
		"host": false, "username": false, "access_key_id": false, "password_file": false, "token_url": false,
		"uri": false, "keyspace": false, "monkey": false,
	} {
		if got := SecretName(name); got != want {
			t.Errorf("SecretName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestSecretNameAsTheSecurityPack: the security pack's secret_name uses
// the same patterns.
func TestSecretNameAsTheSecurityPack(t *testing.T) {
	b, err := os.ReadFile("policy/packs/security.rego")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{SecretNamePattern, SecretWherePattern} {
		if !strings.Contains(string(b), "`"+p+"`") {
			t.Errorf("policy/packs/security.rego does not use %s", p)
		}
	}
}
