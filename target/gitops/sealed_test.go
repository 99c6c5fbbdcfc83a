package gitops

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	sscrypto "github.com/bitnami-labs/sealed-secrets/pkg/crypto"
	"gopkg.in/yaml.v3"

	"paved.dev/paved"
)

// testKey is a controller's key pair as a test plays it. 2048 bits keeps
// key generation fast; the sealing code does not depend on the size.
type testKey struct {
	key     *rsa.PrivateKey
	certPEM []byte
	fp      string
}

func newTestKey(t testing.TB) testKey {
	t.Helper()
	key, cert, err := sscrypto.GeneratePrivateKeyAndCert(2048, 24*time.Hour, "test")
	if err != nil {
		t.Fatal(err)
	}
	fp, err := sscrypto.PublicKeyFingerprint(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return testKey{key: key, certPEM: pemCert(cert.Raw), fp: fp}
}

var testHashKey = []byte("0123456789abcdef0123456789abcdef")

func sealedConfig(k testKey, path string) Config {
	return Config{Path: path, SecretsMode: SecretsSealed, SealingCert: k.certPEM, SealingHashKey: testHashKey}
}

func newSealed(t *testing.T, k testKey) *Target {
	t.Helper()
	return newLocal(t, sealedConfig(k, filepath.Join(t.TempDir(), "gitops")))
}

// sealedFile is a SealedSecret file as the controller reads it.
type sealedFile struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name        string            `yaml:"name"`
		Namespace   string            `yaml:"namespace"`
		Labels      map[string]string `yaml:"labels"`
		Annotations map[string]string `yaml:"annotations"`
	} `yaml:"metadata"`
	Spec struct {
		EncryptedData map[string]string `yaml:"encryptedData"`
		Template      map[string]any    `yaml:"template"`
	} `yaml:"spec"`
}

func readSealed(t *testing.T, tg *Target, dc paved.DeployContext, name string) (sealedFile, []byte) {
	t.Helper()
	files, err := tg.Files(dc)
	if err != nil {
		t.Fatal(err)
	}
	data, ok := files[name]
	if !ok {
		t.Fatalf("%s not committed; files: %v", name, keys(files))
	}
	var ss sealedFile
	if err := yaml.Unmarshal(data, &ss); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return ss, data
}

// unseal decrypts every value as the controller does.
func unseal(t *testing.T, k testKey, ss sealedFile, label string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for key, ct := range ss.Spec.EncryptedData {
		raw, err := base64.StdEncoding.DecodeString(ct)
		if err != nil {
			t.Fatalf("encryptedData.%s is not base64: %v", key, err)
		}
		plain, err := sscrypto.HybridDecrypt(rand.Reader, map[string]*rsa.PrivateKey{k.fp: k.key}, raw, []byte(label))
		if err != nil {
			t.Fatalf("decrypting %s with label %q: %v", key, label, err)
		}
		out[key] = string(plain)
	}
	return out
}

func secretObj(ns, name string, md map[string]any, fields map[string]any) paved.Object {
	meta := map[string]any{"name": name}
	if ns != "" {
		meta["namespace"] = ns
	}
	maps.Copy(meta, md)
	obj := paved.Object{"apiVersion": "v1", "kind": "Secret", "metadata": meta}
	maps.Copy(obj, fields)
	return obj
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func statusOf(res *paved.ApplyResult, ref paved.ObjectRef) paved.ObjectStatus {
	for _, s := range res.Statuses {
		if s.Ref == ref {
			return s
		}
	}
	return paved.ObjectStatus{}
}

func TestSealedRoundTrip(t *testing.T) {
	t.Parallel()
	k := newTestKey(t)
	for _, tc := range []struct {
		name         string
		secret       paved.Object
		wantValues   map[string]string
		wantTemplate map[string]any
	}{
		{
			name:         "stringData",
			secret:       secretObj("shop-dev", "db", nil, map[string]any{"type": "Opaque", "stringData": map[string]any{"password": "s3cret", "user": "shop"}}),
			wantValues:   map[string]string{"password": "s3cret", "user": "shop"},
			wantTemplate: map[string]any{"metadata": map[string]any{"name": "db", "namespace": "shop-dev"}, "type": "Opaque"},
		},
		{
			name:         "data is decoded first",
			secret:       secretObj("shop-dev", "tls", nil, map[string]any{"type": "kubernetes.io/tls", "data": map[string]any{"tls.crt": b64("CERT"), "tls.key": b64("KEY\x00\xff")}}),
			wantValues:   map[string]string{"tls.crt": "CERT", "tls.key": "KEY\x00\xff"},
			wantTemplate: map[string]any{"metadata": map[string]any{"name": "tls", "namespace": "shop-dev"}, "type": "kubernetes.io/tls"},
		},
		{
			name:         "stringData wins over data",
			secret:       secretObj("shop-dev", "both", nil, map[string]any{"data": map[string]any{"a": b64("from-data"), "b": b64("only-data")}, "stringData": map[string]any{"a": "from-stringData"}}),
			wantValues:   map[string]string{"a": "from-stringData", "b": "only-data"},
			wantTemplate: map[string]any{"metadata": map[string]any{"name": "both", "namespace": "shop-dev"}},
		},
		{
			name: "metadata, immutable, last-applied dropped",
			secret: secretObj("shop-dev", "meta", map[string]any{
				"labels":      map[string]any{"app.kubernetes.io/name": "web"},
				"annotations": map[string]any{"team": "payments", "kubectl.kubernetes.io/last-applied-configuration": `{"stringData":{"k":"v"}}`},
			}, map[string]any{"immutable": true, "stringData": map[string]any{"k": "v"}}),
			wantValues: map[string]string{"k": "v"},
			wantTemplate: map[string]any{
				"metadata":  map[string]any{"name": "meta", "namespace": "shop-dev", "labels": map[string]any{"app.kubernetes.io/name": "web"}, "annotations": map[string]any{"team": "payments"}},
				"immutable": true,
			},
		},
		{
			name:         "no values",
			secret:       secretObj("shop-dev", "empty", nil, nil),
			wantValues:   map[string]string{},
			wantTemplate: map[string]any{"metadata": map[string]any{"name": "empty", "namespace": "shop-dev"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tg := newSealed(t, k)
			dc := paved.DeployContext{App: "shop", Env: "dev"}
			cm := paved.Object{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "cfg", "namespace": "shop-dev"}}
			res := apply(t, tg, dc, "d-1", []paved.Object{tc.secret, cm})

			secretRef := tc.secret.Ref()
			name := "sealedsecret-" + secretRef.Name + ".yaml"
			ss, _ := readSealed(t, tg, dc, name)
			if ss.APIVersion != "bitnami.com/v1alpha1" || ss.Kind != "SealedSecret" || ss.Metadata.Name != secretRef.Name || ss.Metadata.Namespace != "shop-dev" {
				t.Errorf("object = %s %s %s/%s", ss.APIVersion, ss.Kind, ss.Metadata.Namespace, ss.Metadata.Name)
			}
			if got := unseal(t, k, ss, "shop-dev/"+secretRef.Name); !reflect.DeepEqual(got, tc.wantValues) {
				t.Errorf("unsealed values = %q, want %q", got, tc.wantValues)
			}
			if g, w := normalize(t, ss.Spec.Template), normalize(t, tc.wantTemplate); !reflect.DeepEqual(g, w) {
				t.Errorf("template = %v, want %v", g, w)
			}
			if ss.Metadata.Annotations[annoSealingCert] != k.fp {
				t.Errorf("%s = %q, want %q", annoSealingCert, ss.Metadata.Annotations[annoSealingCert], k.fp)
			}

			sref := paved.ObjectRef{APIVersion: "bitnami.com/v1alpha1", Kind: "SealedSecret", Namespace: "shop-dev", Name: secretRef.Name}
			cmRef := cm.Ref()
			if want := []paved.ObjectRef{cmRef, sref}; !reflect.DeepEqual(res.Inventory, want) {
				t.Errorf("inventory = %v, want %v", res.Inventory, want)
			}
			if inv, err := tg.Inventory(dc); err != nil || !reflect.DeepEqual(inv, res.Inventory) {
				t.Errorf("Inventory = %v, %v; want %v", inv, err, res.Inventory)
			}
			st := statusOf(res, secretRef)
			if st.State != "sealed" || !strings.Contains(st.Reason, "written as SealedSecret "+name) || !strings.Contains(st.Reason, k.fp) {
				t.Errorf("secret status = %+v", st)
			}
			if len(res.Statuses) != 2 || statusOf(res, cmRef).State != paved.ObjectCommitted {
				t.Errorf("statuses = %+v, want the Secret sealed and the ConfigMap applied", res.Statuses)
			}
			files, _ := tg.Files(dc)
			if _, ok := files["secret-"+secretRef.Name+".yaml"]; ok {
				t.Errorf("the Secret itself was written")
			}
			if !strings.Contains(string(files[kustomizationFileName]), name) {
				t.Errorf("kustomization.yaml does not list %s:\n%s", name, files[kustomizationFileName])
			}
			gitStatusClean(t, tg.cfg.Path)
		})
	}
}

func TestSealedScopes(t *testing.T) {
	t.Parallel()
	k := newTestKey(t)
	tg := newSealed(t, k)
	for _, tc := range []struct {
		name        string
		namespace   string
		annotations map[string]any
		wantLabel   string
		wantAnno    map[string]string // scope annotations on the SealedSecret
	}{
		{"strict", "shop-dev", nil, "shop-dev/strict", nil},
		{"not-true-is-strict", "shop-dev", map[string]any{annoNamespaceWide: "yes"}, "shop-dev/not-true-is-strict", nil},
		{"namespace-wide", "shop-dev", map[string]any{annoNamespaceWide: "true"}, "shop-dev", map[string]string{annoNamespaceWide: "true"}},
		{"cluster-wide", "shop-dev", map[string]any{annoClusterWide: "true"}, "", map[string]string{annoClusterWide: "true"}},
		{"cluster-wide-wins", "shop-dev", map[string]any{annoClusterWide: "true", annoNamespaceWide: "true"}, "", map[string]string{annoClusterWide: "true"}},
		{"cluster-wide-no-namespace", "", map[string]any{annoClusterWide: "true"}, "", map[string]string{annoClusterWide: "true"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var md map[string]any
			if tc.annotations != nil {
				md = map[string]any{"annotations": tc.annotations}
			}
			dc := paved.DeployContext{App: tc.name, Env: "dev"}
			apply(t, tg, dc, "d-1", []paved.Object{secretObj(tc.namespace, tc.name, md, map[string]any{"stringData": map[string]any{"k": "v-" + tc.name}})})
			ss, _ := readSealed(t, tg, dc, "sealedsecret-"+tc.name+".yaml")
			if got := unseal(t, k, ss, tc.wantLabel); got["k"] != "v-"+tc.name {
				t.Errorf("unsealed %q", got["k"])
			}
			scope := map[string]string{}
			for a, v := range ss.Metadata.Annotations {
				if strings.HasPrefix(a, "sealedsecrets.bitnami.com/") {
					scope[a] = v
				}
			}
			if want := tc.wantAnno; len(scope) != len(want) || (len(want) > 0 && !reflect.DeepEqual(scope, want)) {
				t.Errorf("scope annotations = %v, want %v", scope, want)
			}
			// Any other label must fail: the ciphertext is bound to its scope.
			for _, other := range []string{"shop-dev/" + tc.name, "shop-dev", "", "other/" + tc.name} {
				if other == tc.wantLabel {
					continue
				}
				raw, _ := base64.StdEncoding.DecodeString(ss.Spec.EncryptedData["k"])
				if _, err := sscrypto.HybridDecrypt(rand.Reader, map[string]*rsa.PrivateKey{k.fp: k.key}, raw, []byte(other)); err == nil {
					t.Errorf("decrypted with label %q too", other)
				}
			}
		})
	}
}

func TestSealedUnchangedIsStable(t *testing.T) {
	t.Parallel()
	k := newTestKey(t)
	tg := newSealed(t, k)
	dc := paved.DeployContext{App: "shop", Env: "dev"}
	objs := appObjects("shop-dev", 2, "shop:1")
	first := apply(t, tg, dc, "d-1", objs)
	_, before := readSealed(t, tg, dc, "sealedsecret-svc-00.yaml")

	slices.Reverse(objs)
	again := apply(t, tg, dc, "d-2", objs)
	// A new target (a restart) with the same certificate and hash key.
	reopened := newLocal(t, sealedConfig(k, tg.cfg.Path))
	third := apply(t, reopened, dc, "d-3", objs)
	if again.Revision != first.Revision || third.Revision != first.Revision {
		t.Errorf("revisions %s, %s; want %s", again.Revision, third.Revision, first.Revision)
	}
	if n := len(commits(t, tg.cfg.Path, "main")); n != 1 {
		t.Errorf("%d commits, want 1", n)
	}
	if _, after := readSealed(t, tg, dc, "sealedsecret-svc-00.yaml"); string(after) != string(before) {
		t.Errorf("file changed:\n%s\nwas\n%s", after, before)
	}
	st := statusOf(third, paved.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: "shop-dev", Name: "svc-00"})
	if st.State != "sealed" || !strings.Contains(st.Reason, "0 of 1 values encrypted again, 1 unchanged") {
		t.Errorf("status = %+v", st)
	}
	if drift, err := reopened.Drift(context.Background(), dc, objs); err != nil || len(drift) != 0 {
		t.Errorf("Drift = %v, %v; want none", drift, err)
	}
}

func TestSealedChangedValueResealsOnlyIt(t *testing.T) {
	t.Parallel()
	k := newTestKey(t)
	tg := newSealed(t, k)
	dc := paved.DeployContext{App: "shop", Env: "dev"}
	cm := paved.Object{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "cfg", "namespace": "shop-dev"}}
	values := map[string]any{"a": "alpha", "b": "bravo", "c": "charlie"}
	apply(t, tg, dc, "d-1", []paved.Object{cm, secretObj("shop-dev", "db", nil, map[string]any{"stringData": values})})
	before, _ := readSealed(t, tg, dc, "sealedsecret-db.yaml")

	changed := maps.Clone(values)
	changed["b"] = "bravo-2"
	changed["d"] = "delta"
	next := []paved.Object{cm, secretObj("shop-dev", "db", nil, map[string]any{"stringData": changed})}
	if drift, err := tg.Drift(context.Background(), dc, next); err != nil || len(drift) != 1 || drift[0].State != "changed" {
		t.Errorf("Drift before the change = %v, %v; want the SealedSecret changed", drift, err)
	}
	res := apply(t, tg, dc, "d-2", next)
	after, _ := readSealed(t, tg, dc, "sealedsecret-db.yaml")

	for key, want := range map[string]bool{"a": true, "b": false, "c": true} {
		if kept := after.Spec.EncryptedData[key] == before.Spec.EncryptedData[key]; kept != want {
			t.Errorf("ciphertext of %s kept = %v, want %v", key, kept, want)
		}
	}
	want := map[string]string{"a": "alpha", "b": "bravo-2", "c": "charlie", "d": "delta"}
	if got := unseal(t, k, after, "shop-dev/db"); !reflect.DeepEqual(got, want) {
		t.Errorf("unsealed %q, want %q", got, want)
	}
	cs := commits(t, tg.cfg.Path, "main")
	parent, _ := cs[0].Parent(0)
	if got := changedPaths(t, parent, cs[0]); !slices.Equal(got, []string{"dev/shop/sealedsecret-db.yaml"}) {
		t.Errorf("changed paths = %v", got)
	}
	st := statusOf(res, paved.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: "shop-dev", Name: "db"})
	if !strings.Contains(st.Reason, "2 of 4 values encrypted again, 2 unchanged") {
		t.Errorf("status = %+v", st)
	}

	// A key removed goes; the others stay as they were.
	delete(changed, "d")
	apply(t, tg, dc, "d-3", []paved.Object{cm, secretObj("shop-dev", "db", nil, map[string]any{"stringData": changed})})
	third, _ := readSealed(t, tg, dc, "sealedsecret-db.yaml")
	if _, ok := third.Spec.EncryptedData["d"]; ok || len(third.Spec.EncryptedData) != 3 {
		t.Errorf("after removing d: keys %v", slices.Sorted(maps.Keys(third.Spec.EncryptedData)))
	}
	for _, key := range []string{"a", "b", "c"} {
		if third.Spec.EncryptedData[key] != after.Spec.EncryptedData[key] {
			t.Errorf("ciphertext of %s changed when d was removed", key)
		}
	}
}

func TestSealedResealsWhatCannotBeKept(t *testing.T) {
	t.Parallel()
	k1, k2 := newTestKey(t), newTestKey(t)
	secret := func(ns string) paved.Object {
		return secretObj(ns, "db", nil, map[string]any{"stringData": map[string]any{"a": "alpha", "b": "bravo"}})
	}
	for _, tc := range []struct {
		name string
		// second changes the target or the committed file before the second
		// deployment; it returns the key and label to unseal with.
		second    func(t *testing.T, tg *Target, dc paved.DeployContext) (*Target, testKey, paved.Object, string)
		wantLabel string
	}{
		{"new certificate", func(t *testing.T, tg *Target, _ paved.DeployContext) (*Target, testKey, paved.Object, string) {
			return newLocal(t, sealedConfig(k2, tg.cfg.Path)), k2, secret("shop-dev"), "shop-dev/db"
		}, ""},
		{"new hash key", func(t *testing.T, tg *Target, _ paved.DeployContext) (*Target, testKey, paved.Object, string) {
			cfg := sealedConfig(k1, tg.cfg.Path)
			cfg.SealingHashKey = []byte("another-key-of-at-least-16-bytes")
			return newLocal(t, cfg), k1, secret("shop-dev"), "shop-dev/db"
		}, ""},
		{"new namespace", func(t *testing.T, tg *Target, _ paved.DeployContext) (*Target, testKey, paved.Object, string) {
			return tg, k1, secret("shop-qa"), "shop-qa/db"
		}, ""},
		{"ciphertext edited by hand", func(t *testing.T, tg *Target, dc paved.DeployContext) (*Target, testKey, paved.Object, string) {
			// Swap the two ciphertexts: each is valid, neither is right.
			files, _ := tg.Files(dc)
			var ss map[string]any
			yaml.Unmarshal(files["sealedsecret-db.yaml"], &ss)
			ed := ss["spec"].(map[string]any)["encryptedData"].(map[string]any)
			ed["a"], ed["b"] = ed["b"], ed["a"]
			edited := map[string][]byte{}
			for n, d := range files {
				edited[n] = d
			}
			edited["sealedsecret-db.yaml"], _ = yaml.Marshal(ss)
			if _, err := tg.commit(context.Background(), "dev/shop", func(func(string) ([]byte, error)) (map[string][]byte, error) { return edited, nil }, "edit\n", "", nil); err != nil {
				t.Fatal(err)
			}
			return tg, k1, secret("shop-dev"), "shop-dev/db"
		}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tg := newSealed(t, k1)
			dc := paved.DeployContext{App: "shop", Env: "dev"}
			apply(t, tg, dc, "d-1", []paved.Object{secret("shop-dev")})
			before, _ := readSealed(t, tg, dc, "sealedsecret-db.yaml")

			next, key, obj, label := tc.second(t, tg, dc)
			res := apply(t, next, dc, "d-2", []paved.Object{obj})
			after, _ := readSealed(t, next, dc, "sealedsecret-db.yaml")
			for _, k := range []string{"a", "b"} {
				if after.Spec.EncryptedData[k] == before.Spec.EncryptedData[k] {
					t.Errorf("ciphertext of %s kept", k)
				}
			}
			if got := unseal(t, key, after, label); got["a"] != "alpha" || got["b"] != "bravo" {
				t.Errorf("unsealed %q", got)
			}
			if after.Metadata.Annotations[annoSealingCert] != key.fp {
				t.Errorf("sealed with %s, want %s", after.Metadata.Annotations[annoSealingCert], key.fp)
			}
			st := statusOf(res, obj.Ref())
			if !strings.Contains(st.Reason, "2 of 2 values encrypted again") {
				t.Errorf("status = %+v", st)
			}
			// And stable from then on.
			again := apply(t, next, dc, "d-3", []paved.Object{obj})
			if again.Revision != res.Revision {
				t.Errorf("third deployment made a commit")
			}
		})
	}
}

// TestSealedNoPlaintextInRepository looks for every secret value, in clear
// and in base64, in every file of the work tree, every file of the Git
// directory, every blob and every commit message.
func TestSealedNoPlaintextInRepository(t *testing.T) {
	t.Parallel()
	k := newTestKey(t)
	tg := newSealed(t, k)
	dc := paved.DeployContext{App: "shop", Env: "dev"}
	values := []string{"pw-7f3a9c-first-password", "tok-51be02-api-token", "pw-2d4e11-rotated-password", "bin-\x00\x01-9a8b7c6d"}
	objs := appObjects("shop-dev", 1, "shop:1") // its Secret has stringData password s3cret-svc-00
	values = append(values, "s3cret-svc-00")
	objs = append(objs,
		secretObj("shop-dev", "api", map[string]any{"annotations": map[string]any{"kubectl.kubernetes.io/last-applied-configuration": `{"stringData":{"token":"tok-51be02-api-token"}}`}},
			map[string]any{"stringData": map[string]any{"token": values[1]}, "data": map[string]any{"password": b64(values[0]), "blob": b64(values[3])}}),
	)
	apply(t, tg, dc, "d-1", objs)
	// A second deployment rotates a value: history holds both versions.
	objs[len(objs)-1]["stringData"] = map[string]any{"token": values[1], "password": values[2]}
	apply(t, tg, dc, "d-2", objs)
	apply(t, tg, paved.DeployContext{App: "shop", Env: "qa"}, "d-3", objs)

	var needles []string
	for _, v := range values {
		needles = append(needles, v, b64(v), base64.RawStdEncoding.EncodeToString([]byte(v)), base64.URLEncoding.EncodeToString([]byte(v)))
	}
	check := func(where string, data []byte) {
		for _, n := range needles {
			if strings.Contains(string(data), n) {
				t.Errorf("%s contains %q", where, n)
			}
		}
	}
	grepRepository(t, tg.cfg.Path, check)
}

func TestSealedInvalidSecrets(t *testing.T) {
	t.Parallel()
	k := newTestKey(t)
	tg := newSealed(t, k)
	sealedDB := paved.Object{"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret", "metadata": map[string]any{"name": "db", "namespace": "shop-dev"}, "spec": map[string]any{"encryptedData": map[string]any{}}}
	for _, tc := range []struct {
		name string
		objs []paved.Object
		want string
	}{
		{"no namespace", []paved.Object{secretObj("", "db", nil, map[string]any{"stringData": map[string]any{"k": "v"}})}, "has no metadata.namespace"},
		{"data not base64", []paved.Object{secretObj("shop-dev", "db", nil, map[string]any{"data": map[string]any{"k": "not base64!"}})}, "data.k is not base64"},
		{"data not a string", []paved.Object{secretObj("shop-dev", "db", nil, map[string]any{"data": map[string]any{"k": 42}})}, "data.k is a int"},
		{"stringData not strings", []paved.Object{secretObj("shop-dev", "db", nil, map[string]any{"stringData": map[string]any{"k": true}})}, "stringData: k is a bool"},
		{"collides with a SealedSecret", []paved.Object{secretObj("shop-dev", "db", nil, nil), sealedDB}, "is written as SealedSecret"},
		{"collides the other way", []paved.Object{sealedDB, secretObj("shop-dev", "db", nil, nil)}, "is written as SealedSecret"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tg.Apply(context.Background(), &paved.ApplyRequest{Context: paved.DeployContext{App: "shop", Env: "dev"}, Objects: tc.objs})
			if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want invalid containing %q", err, tc.want)
			}
		})
	}
	if head, _ := tg.HeadCommit(); head != "" {
		t.Errorf("an invalid deployment made commit %s", head)
	}
}

// TestSealedRemoteReplicas has two targets (two replicas of the server)
// share a remote: the second sees the first one's SealedSecret through the
// fetch and keeps it.
func TestSealedRemoteReplicas(t *testing.T) {
	t.Parallel()
	remoteDir, url := bareRemote(t)
	k := newTestKey(t)
	replica := func() *Target {
		tg, err := New(Config{URL: url, CloneDir: filepath.Join(t.TempDir(), "clone"), SealingCert: k.certPEM, SealingHashKey: testHashKey})
		if err != nil {
			t.Fatal(err)
		}
		if tg.cfg.SecretsMode != SecretsSealed {
			t.Fatalf("mode = %q, want sealed when a certificate is given", tg.cfg.SecretsMode)
		}
		return tg
	}
	a, b := replica(), replica()
	dc := paved.DeployContext{App: "shop", Env: "dev"}
	objs := workloadObjects("shop-dev", "web", "web:1")
	first := apply(t, a, dc, "d-1", objs)
	second := apply(t, b, dc, "d-2", objs)
	if second.Revision != first.Revision || remoteHead(t, remoteDir).String() != first.Revision {
		t.Errorf("the second replica committed again: %s after %s", second.Revision, first.Revision)
	}
}

func TestSealingConfig(t *testing.T) {
	t.Parallel()
	k := newTestKey(t)
	expired, err := sscrypto.SignKeyWithNotBefore(rand.Reader, k.key, time.Now().Add(-48*time.Hour), 24*time.Hour, "old")
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pemBlock("RSA PRIVATE KEY", []byte("not really a key"))
	for _, tc := range []struct {
		name    string
		cert    []byte
		hashKey []byte
		want    string
	}{
		{"missing", nil, testHashKey, "SealingCert: no certificate given"},
		{"not PEM", []byte("MIIB...base64 without armour"), testHashKey, "SealingCert: the data is not PEM"},
		{"private key instead", keyPEM, testHashKey, "holds no CERTIFICATE block (found [RSA PRIVATE KEY]); give the certificate, never the private key"},
		{"garbage certificate", pemBlock("CERTIFICATE", []byte("garbage")), testHashKey, "SealingCert: the certificate cannot be parsed"},
		{"not RSA", ecdsaCert(t), testHashKey, "SealingCert: the certificate's key is ECDSA, but sealed-secrets seals with RSA keys"},
		{"weak RSA", weakCert(t), testHashKey, "has 1024 bits, fewer than 2048"},
		{"expired", pemCert(expired.Raw), testHashKey, "SealingCert: the certificate expired on " + expired.NotAfter.UTC().Format(time.DateOnly)},
		{"no hash key", k.certPEM, nil, "SealingHashKey has 0 bytes, at least 16"},
		{"short hash key", k.certPEM, []byte("short"), "SealingHashKey has 5 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Config{Path: "/x", SecretsMode: SecretsSealed, SealingCert: tc.cert, SealingHashKey: tc.hashKey})
			if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "gitops target /x: ") {
				t.Errorf("New = %v, want invalid containing %q", err, tc.want)
			}
			if err != nil && strings.Contains(tc.want, "SealingCert") && !strings.Contains(err.Error(), "kubeseal --fetch-cert") {
				t.Errorf("New = %v: does not say how to fix it", err)
			}
		})
	}

	// A certificate valid at start that expires later stops deployments.
	tg := newSealed(t, k)
	tg.now = func() time.Time { return time.Now().Add(48 * time.Hour) }
	_, err = tg.Apply(context.Background(), &paved.ApplyRequest{Context: paved.DeployContext{App: "shop", Env: "dev"}, Objects: workloadObjects("shop-dev", "web", "web:1")})
	if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "SealingCert expired on") {
		t.Errorf("Apply with an expired certificate = %v", err)
	}

	// Other modes ignore the sealing settings; a certificate alone means sealed.
	plain, err := New(Config{Path: "/x", SecretsMode: SecretsPlain, SealingCert: []byte("unused")})
	if err != nil || plain.sealer != nil {
		t.Errorf("plain mode with a certificate: %v", err)
	}
	def, err := New(Config{Path: "/x", SealingCert: k.certPEM, SealingHashKey: testHashKey})
	if err != nil || def.cfg.SecretsMode != SecretsSealed {
		t.Errorf("default mode with a certificate = %q, %v", def.cfg.SecretsMode, err)
	}
}

func TestSealedMACAnnotation(t *testing.T) {
	t.Parallel()
	k := newTestKey(t)
	tg := newSealed(t, k)
	dc := paved.DeployContext{App: "shop", Env: "dev"}
	apply(t, tg, dc, "d-1", []paved.Object{secretObj("shop-dev", "db", nil, map[string]any{"stringData": map[string]any{"password": "hunter2"}})})
	ss, _ := readSealed(t, tg, dc, "sealedsecret-db.yaml")
	var macs map[string]string
	if err := json.Unmarshal([]byte(ss.Metadata.Annotations[annoSealedMAC]), &macs); err != nil {
		t.Fatalf("%s = %q: %v", annoSealedMAC, ss.Metadata.Annotations[annoSealedMAC], err)
	}
	if len(macs) != 1 || len(macs["password"]) != 43 {
		t.Errorf("macs = %v, want one HMAC-SHA256 for password", macs)
	}
	// Keyed: the same inputs under another key, or the value's plain
	// SHA-256, give other hashes. Recomputed under the target's own key
	// first, so that the inputs are known to be the ones hashed.
	mac, ct := macs["password"], ss.Spec.EncryptedData["password"]
	label := encryptionLabel("shop-dev", "db", scopeStrict)
	if got := tg.sealer.mac(label, "password", []byte("hunter2"), ct); got != mac {
		t.Fatalf("mac recomputed = %q, recorded %q", got, mac)
	}
	other := &sealer{cert: tg.sealer.cert, hashKey: []byte("another-key-of-at-least-16-bytes")}
	if got := other.mac(label, "password", []byte("hunter2"), ct); got == mac {
		t.Errorf("mac %q is the same under another key: not keyed", mac)
	}
	plain := sha256.Sum256([]byte("hunter2"))
	for _, h := range []string{base64.RawStdEncoding.EncodeToString(plain[:]), base64.StdEncoding.EncodeToString(plain[:]), hex.EncodeToString(plain[:])} {
		if strings.Contains(mac, h) {
			t.Errorf("mac %q is the plain SHA-256 of the value", mac)
		}
	}
	if _, ok := ss.Spec.Template["metadata"].(map[string]any)["annotations"]; ok {
		t.Errorf("paved's annotations reached the template (and so the Secret): %v", ss.Spec.Template)
	}
}
