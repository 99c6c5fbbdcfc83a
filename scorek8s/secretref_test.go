package scorek8s

import (
	"reflect"
	"strings"
	"testing"

	"paved.dev/paved"
)

func TestResolveSecretRefs(t *testing.T) {
	t.Parallel()
	def := &paved.ResourceDefinition{ID: "s3", Outputs: []paved.OutputSpec{{Name: "host"}, {Name: "password", Secret: true}, {Name: "creds", Secret: true}}}
	secret := map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "s3-creds"},
		"data": map[string]any{"password": "czNjcjN0LXB3", "bad": "%%%"}, "stringData": map[string]any{"key": "AKIA-x"}}
	configMap := map[string]any{"kind": "ConfigMap", "metadata": map[string]any{"name": "s3-creds"}, "data": map[string]any{"other": "x"}}
	ref := func(name, key string) string { return SecretRefPrefix + name + "_" + key + SecretRefSuffix }
	tests := []struct {
		name      string
		outputs   map[string]any
		manifests []map[string]any
		want      map[string]any
		wantCode  string
		wantMsg   string
	}{
		{
			name:    "no references",
			outputs: map[string]any{"host": "h", "password": "plain"},
			want:    map[string]any{"host": "h", "password": "plain"},
		},
		{
			name:      "data and stringData, nested and inside text",
			outputs:   map[string]any{"host": "h", "password": ref("s3-creds", "password"), "creds": map[string]any{"list": []any{"id=" + ref("s3-creds", "key") + ";"}}},
			manifests: []map[string]any{configMap, secret},
			want:      map[string]any{"host": "h", "password": "s3cr3t-pw", "creds": map[string]any{"list": []any{"id=AKIA-x;"}}},
		},
		{
			name:    "a prefix without a suffix is text",
			outputs: map[string]any{"host": SecretRefPrefix + "x_y"},
			want:    map[string]any{"host": SecretRefPrefix + "x_y"},
		},
		{
			name:      "output not declared secret",
			outputs:   map[string]any{"host": ref("s3-creds", "password")},
			manifests: []map[string]any{secret},
			wantCode:  paved.EINVALID,
			wantMsg:   `output "host" holds a reference to a Kubernetes Secret`,
		},
		{
			name:     "Secret not among the manifests",
			outputs:  map[string]any{"password": ref("redis", "redis-password")},
			wantCode: paved.EINTERNAL,
			wantMsg:  `resource_outputs.password refers to key "redis-password" of Secret "redis": no such Secret is among the provisioner's manifests`,
		},
		{
			name:      "no such key",
			outputs:   map[string]any{"password": ref("s3-creds", "nope")},
			manifests: []map[string]any{secret},
			wantCode:  paved.EINTERNAL,
			wantMsg:   "has no such key",
		},
		{
			name:      "data that is not base64",
			outputs:   map[string]any{"password": ref("s3-creds", "bad")},
			manifests: []map[string]any{secret},
			wantCode:  paved.EINTERNAL,
			wantMsg:   "its data is not base64",
		},
		{
			name:     "no underscore",
			outputs:  map[string]any{"password": SecretRefPrefix + "nokey" + SecretRefSuffix},
			wantCode: paved.EINTERNAL,
			wantMsg:  `without "_"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ResolveSecretRefs("cmd", tt.outputs, tt.manifests, def)
			if tt.wantCode != "" {
				if code := paved.ErrorCode(err); code != tt.wantCode {
					t.Fatalf("code = %q (%v), want %q", code, err, tt.wantCode)
				}
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("err = %q, want it to contain %q", err, tt.wantMsg)
				}
				if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "czNjcjN0") {
					t.Errorf("err = %q quotes the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("outputs = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestSecretsNeverKeptInClear: a translated provisioner's output that
// looks secret but is covered only by "*", or an address with a password,
// is refused naming the output, never its value.
func TestSecretsNeverKeptInClear(t *testing.T) {
	def := &paved.ResourceDefinition{ID: "k8s-cmd-x", Metadata: map[string]string{URIKey: "cmd://x"},
		Outputs: []paved.OutputSpec{{Name: "host"}, {Name: paved.AnyOutput}}}
	tests := []struct {
		name string
		out  map[string]any
		want string
	}{
		{"plain", map[string]any{"host": "db", "port": 5432, "url": "http://db:80/"}, ""},
		{"undeclared password", map[string]any{"db_password": "hunter22"}, `output "db_password" looks secret`},
		{"address with a password", map[string]any{"url": "amqp://u:hunter22@mq:5672/"}, `output "url" is an address with a password`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ResolveSecretRefs("cmd cmd://x", tt.out, nil, def)
			switch {
			case tt.want == "" && err != nil:
				t.Fatal(err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("err = %v, want %q", err, tt.want)
			case err != nil && strings.Contains(err.Error(), "hunter22"):
				t.Errorf("the error shows the value: %v", err)
			}
		})
	}
}
