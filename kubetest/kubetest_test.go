package kubetest

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

var cluster Shared

func TestMain(m *testing.M) { os.Exit(cluster.Run(m)) }

func TestClusterAnswersThroughConfigAndKubeconfig(t *testing.T) {
	c := cluster.Get(t)
	fromFile, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		t.Fatalf("load kubeconfig: %v", err)
	}
	tests := []struct {
		name string
		cfg  *rest.Config
	}{
		{"Config", c.Config()},
		{"kubeconfig file", fromFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dc, err := discovery.NewDiscoveryClientForConfig(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			v, err := dc.ServerVersion()
			if err != nil {
				t.Fatalf("server version: %v", err)
			}
			if got, want := v.GitVersion, KubeVersion; got != want {
				t.Errorf("server version = %q, want %q", got, want)
			}
			// Creating a namespace proves the token is an admin's, not anonymous.
			dyn, err := dynamic.NewForConfig(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			ns := &unstructured.Unstructured{Object: map[string]any{
				"apiVersion": "v1", "kind": "Namespace",
				"metadata": map[string]any{"name": c.NewNamespace(t)},
			}}
			gvr := schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
			if _, err := dyn.Resource(gvr).Create(context.Background(), ns, metav1.CreateOptions{}); err != nil {
				t.Fatalf("create namespace: %v", err)
			}
		})
	}
}

func TestNewNamespaceIsUniqueAndDNSSafe(t *testing.T) {
	c := &Cluster{}
	a, b := c.NewNamespace(t), c.NewNamespace(t)
	if a == b {
		t.Errorf("two namespaces named %q", a)
	}
	if !strings.HasPrefix(a, "testnewnamespaceisuniqueanddnssafe-") {
		t.Errorf("namespace %q does not start with the test name", a)
	}
}

func TestDNSLabel(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"TestApply/with_conflict", 63, "testapply-with-conflict"},
		{"--Weird__Name--", 63, "weird-name"},
		{"abcdef-ghi", 7, "abcdef"},
		{"///", 63, "test"},
	}
	for _, tt := range tests {
		if got := dnsLabel(tt.in, tt.max); got != tt.want {
			t.Errorf("dnsLabel(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestBinaryMissingSaysHowToBuild(t *testing.T) {
	_, err := Binary(t.TempDir(), "kube-apiserver")
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("err = %v, want ErrNoBinaries", err)
	}
	if !strings.Contains(err.Error(), "test/kube/build.sh") {
		t.Errorf("error %q does not say to run test/kube/build.sh", err)
	}
}
