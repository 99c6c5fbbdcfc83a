package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/definition"
	"paved.dev/paved/scorek8s"
)

// TestTwoRoutesShareTheirNetworkPolicy: two routes of one workload from the
// community's ingress-with-netpol provisioner both render the NetworkPolicy
// ingress-to-<workload>; as in score-k8s it is rendered once. A provisioner
// that renders a different object under that identity is an error naming
// both resources and the provisioners' uris.
func TestTwoRoutesShareTheirNetworkPolicy(t *testing.T) {
	dir := filepath.Join("testdata", "community-route")
	run := func(defs []paved.ResourceDefinition) (*Result, error) {
		return scoreK8sEngine(t).Run(context.Background(), Request{
			Sources:     []Source{{Path: filepath.Join(dir, "score.yaml")}},
			Definitions: defs,
			Context:     paved.DeployContext{App: "shop", Env: "dev", EnvType: "development"},
			State:       goldenState(t).For("shop", "dev"),
		})
	}
	defs, err := definition.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := run(defs)
	if err != nil {
		t.Fatalf("two routes: %v", err)
	}
	var policies, ingresses int
	for _, o := range res.Objects {
		switch o.Ref().Kind {
		case "NetworkPolicy":
			policies++
		case "Ingress":
			ingresses++
		}
	}
	if policies != 1 || ingresses != 2 {
		t.Errorf("%d NetworkPolicies and %d Ingresses, want 1 and 2", policies, ingresses)
	}

	// The same NetworkPolicy identity with a different body: refused.
	other := t.TempDir()
	body := "- uri: template://acme/netpol\n  type: route\n  class: admin\n  manifests: |\n" +
		"    - apiVersion: networking.k8s.io/v1\n      kind: NetworkPolicy\n      metadata:\n        name: ingress-to-{{ .SourceWorkload }}\n      spec:\n        podSelector: {}\n"
	if err := os.WriteFile(filepath.Join(other, "a.provisioners.yaml"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	more, err := definition.ReadDir(other)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := os.ReadFile(filepath.Join(dir, "score.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	specPath := filepath.Join(other, "score.yaml")
	if err := os.WriteFile(specPath, []byte(strings.Replace(string(spec), "  admin:\n    type: route\n", "  admin:\n    type: route\n    class: admin\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = scoreK8sEngine(t).Run(context.Background(), Request{
		Sources:     []Source{{Path: specPath}},
		Definitions: append(defs, more...),
		Context:     paved.DeployContext{App: "shop", Env: "dev", EnvType: "development"},
		State:       goldenState(t).For("shop", "dev"),
	})
	for _, want := range []string{"two different objects are both NetworkPolicy/shop-dev/ingress-to-shop", "provisioner template://acme/netpol", "provisioner template://community-provisioners/ingress-with-net-pol-route"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want it to contain %q", err, want)
		}
	}
}

// TestSameKindOtherGroupIsNoDuplicate: objects of one kind and name in two
// API groups are two objects.
func TestSameKindOtherGroupIsNoDuplicate(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "crd.tpl")
	if err := os.WriteFile(p, []byte("- op: set\n  path: '-1'\n  value: {apiVersion: example.com/v1, kind: Deployment, metadata: {name: frontend}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	patches, err := scorek8s.ReadPatchTemplates(p)
	if err != nil {
		t.Fatal(err)
	}
	res, err := renderScoreK8s(t, scoreK8sEngine(t), goldenState(t).For("shop", "dev"), nil, patches)
	if err != nil {
		t.Fatalf("a Deployment of another group: %v", err)
	}
	n := 0
	for _, o := range res.Objects {
		if r := o.Ref(); r.Kind == "Deployment" && r.Name == "frontend" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d Deployments named frontend, want 2 (apps and example.com)", n)
	}
}
