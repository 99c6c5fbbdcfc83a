package policy

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// deployment builds a Deployment object with one container, changed by f.
func deployment(name string, f func(pod, c map[string]any)) paved.Object {
	c := map[string]any{"name": "main", "image": "ghcr.io/acme/web:1.4.2",
		"securityContext": map[string]any{"runAsNonRoot": true},
		"resources":       map[string]any{"limits": map[string]any{"cpu": "1", "memory": "256Mi"}}}
	pod := map[string]any{"containers": []any{c}}
	if f != nil {
		f(pod, c)
	}
	return paved.Object{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": name, "namespace": "shop-dev"},
		"spec": map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"app": name}}, "template": map[string]any{"spec": pod}}}
}

func rules(fs []paved.Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Level)+" "+f.Rule)
	}
	return strings.Join(out, ", ")
}

// TestSecurityPack: each rule fails on its fixture and passes on the
// clean one.
func TestSecurityPack(t *testing.T) {
	e := New(0)
	pack := Builtin()
	for _, tc := range []struct {
		name string
		f    func(pod, c map[string]any)
		want string
	}{
		{"clean", nil, ""},
		{"untagged image", func(_, c map[string]any) { c["image"] = "nginx" }, "deny security/sec-image-tag"},
		{"latest", func(_, c map[string]any) { c["image"] = "registry.example:5000/web:latest" }, "deny security/sec-image-tag"},
		{"a registry port is no tag", func(_, c map[string]any) { c["image"] = "registry.example:5000/web" }, "deny security/sec-image-tag"},
		{"a digest pins", func(_, c map[string]any) { c["image"] = "nginx@sha256:" + strings.Repeat("a", 64) }, ""},
		{"privileged", func(_, c map[string]any) {
			c["securityContext"] = map[string]any{"runAsNonRoot": true, "privileged": true}
		}, "deny security/sec-privileged"},
		{"capabilities", func(_, c map[string]any) {
			c["securityContext"] = map[string]any{"runAsNonRoot": true, "capabilities": map[string]any{"add": []any{"NET_ADMIN"}}}
		}, "deny security/sec-capabilities"},
		{"hostPath", func(pod, _ map[string]any) {
			pod["volumes"] = []any{map[string]any{"name": "sock", "hostPath": map[string]any{"path": "/var/run/docker.sock"}}}
		}, "deny security/sec-host-path"},
		{"hostNetwork", func(pod, _ map[string]any) { pod["hostNetwork"] = true }, "deny security/sec-host-network"},
		{"a secret in clear", func(_, c map[string]any) {
			c["env"] = []any{map[string]any{"name": "DB_PASSWORD", "value": "hunter2"}, map[string]any{"name": "LOG_LEVEL", "value": "debug"}}
		}, "deny security/sec-secret-literal"},
		{"a secret from a Secret", func(_, c map[string]any) {
			c["env"] = []any{map[string]any{"name": "DB_PASSWORD", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "db", "key": "password"}}}}
		}, ""},
		{"root", func(_, c map[string]any) { delete(c, "securityContext") }, "warn security/sec-non-root"},
		{"non-root for the pod", func(pod, c map[string]any) {
			delete(c, "securityContext")
			pod["securityContext"] = map[string]any{"runAsNonRoot": true}
		}, ""},
		{"no limits", func(_, c map[string]any) { delete(c, "resources") }, "warn security/sec-limits, warn security/sec-limits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := e.Evaluate(context.Background(), pack, &paved.GateInput{Objects: []paved.Object{deployment("web", tc.f)}})
			if err != nil {
				t.Fatal(err)
			}
			if got := rules(fs); got != tc.want {
				t.Errorf("got %q, want %q (%v)", got, tc.want, fs)
			}
			for _, f := range fs {
				if f.Owner != paved.RoleSecurity || !strings.Contains(f.Message, "(fix: ") || !strings.HasPrefix(f.Message, "Deployment/web: ") {
					t.Errorf("finding %+v lacks its owner, its object or its fix", f)
				}
			}
		})
	}
}

func conftest(t testing.TB, file string) paved.Policy {
	src, err := os.ReadFile("testdata/conftest/" + file)
	if err != nil {
		t.Fatal(err)
	}
	return paved.Policy{ID: strings.TrimSuffix(file, ".rego"), Owner: paved.RoleSecurity, Kind: paved.PolicyConftest, Module: string(src), Version: 1}
}

// TestConftestPolicies: Conftest's documented policies, v1 and v0, with
// its exception convention, run over each object.
func TestConftestPolicies(t *testing.T) {
	e := New(0)
	root := deployment("api", func(_, c map[string]any) { delete(c, "securityContext") })
	legacy := deployment("legacy", func(_, c map[string]any) { delete(c, "securityContext") })
	svc := paved.Object{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": "api"}, "spec": map[string]any{"type": "NodePort"}}
	fs, err := e.Evaluate(context.Background(), []paved.Policy{conftest(t, "deployment.rego"), conftest(t, "v0_exception.rego")},
		&paved.GateInput{Objects: []paved.Object{root, legacy, svc}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, string(f.Level)+" "+f.Rule+" "+f.Message)
	}
	want := []string{
		"deny deployment/deny Deployment/shop-dev/api: Containers must not run as root",
		"deny deployment/deny Deployment/shop-dev/legacy: Containers must not run as root",
		"deny v0_exception/deny_run_as_root Deployment/shop-dev/api: api runs as root",
		"warn v0_exception/warn Service/api: NodePort services expose every node",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestBadPolicies(t *testing.T) {
	e := New(200 * time.Millisecond)
	for _, tc := range []struct {
		name string
		p    paved.Policy
		want string
	}{
		{"does not compile", paved.Policy{ID: "broken", Kind: paved.PolicyDeployment, Module: "package x\n\ndeny contains msg if {\n\tmsg := \n}\n"}, "policy broken: module: line 5, column 1: unexpected } token"},
		{"no kind", paved.Policy{ID: "k", Module: "package x"}, "kind"},
		{"conftest not main", paved.Policy{ID: "c", Kind: paved.PolicyConftest, Module: "package other\n"}, "package main"},
		{"empty", paved.Policy{ID: "e", Kind: paved.PolicyDeployment, Module: "  "}, "empty"},
		{"too big", paved.Policy{ID: "b", Kind: paved.PolicyDeployment, Module: "package x\n" + strings.Repeat("#", MaxModule)}, "bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := e.Check(context.Background(), tc.p)
			if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%v, want invalid with %q", err, tc.want)
			}
		})
	}
	slow := paved.Policy{ID: "slow", Owner: paved.RoleFinance, Kind: paved.PolicyDeployment, Version: 1,
		Module: "package slow\n\ndeny contains x if {\n\tsome i in numbers.range(1, 100000000)\n\ti == -1\n\tx := \"never\"\n}\n"}
	start := time.Now()
	_, err := e.Evaluate(context.Background(), []paved.Policy{slow}, &paved.GateInput{})
	if err == nil || !strings.Contains(err.Error(), "policy slow (owned by finance) ran longer than 200ms") {
		t.Fatalf("a slow policy: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("stopping it took %v", d)
	}
}

// TestPreparedOnce: a policy version is compiled once, however often it
// is evaluated.
func TestPreparedOnce(t *testing.T) {
	e := New(0)
	in := &paved.GateInput{Objects: []paved.Object{deployment("web", nil)}}
	for range 3 {
		if _, err := e.Evaluate(context.Background(), Builtin(), in); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(e.prepared); n != len(Builtin()) {
		t.Errorf("%d prepared queries for %d policy versions", n, len(Builtin()))
	}
}

func workloads(n int) []paved.Object {
	var out []paved.Object
	for i := range n {
		out = append(out, deployment(fmt.Sprintf("w%d", i), nil),
			paved.Object{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": fmt.Sprintf("w%d", i)}, "spec": map[string]any{"type": "ClusterIP"}})
	}
	return out
}

// BenchmarkSecurityPack: every built-in pack (security, data, finance) on a
// 20-workload deployment.
func BenchmarkSecurityPack(b *testing.B) {
	e := New(0)
	in := &paved.GateInput{Objects: workloads(20), Specs: map[string]string{}}
	for b.Loop() {
		if _, err := e.Evaluate(context.Background(), Builtin(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkConftest1000: a Conftest policy over 1,000 objects.
func BenchmarkConftest1000(b *testing.B) {
	e := New(0)
	p := conftest(b, "deployment.rego")
	in := &paved.GateInput{Objects: workloads(500)}
	for b.Loop() {
		if _, err := e.Evaluate(context.Background(), []paved.Policy{p}, in); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDataPack: each rule fails on its fixture and passes on the clean one.
func TestDataPack(t *testing.T) {
	e := New(0)
	in := func(envType string, md map[string]string) *paved.GateInput {
		ref := paved.DefinitionRef{ID: "pg-customers", Version: 3, Driver: "postgres"}
		return &paved.GateInput{
			Env:         &paved.Environment{Name: "x", Type: paved.EnvType(envType)},
			Plan:        &paved.Plan{Resources: []paved.PlannedResource{{UID: "postgres.default#api.db", Action: paved.PlanCreate, Definition: ref}}},
			Definitions: map[string]paved.ResourceDefinition{ref.String(): {ID: "pg-customers", Metadata: md}},
		}
	}
	for _, tc := range []struct {
		name, env string
		md        map[string]string
		want      string
	}{
		{"unclassified in a preview", "ephemeral", nil, ""},
		{"pii in a preview", "ephemeral", map[string]string{"classification": "pii", "backups": "daily"}, "deny data/data-classified-in-preview"},
		{"confidential in staging, backed up", "staging", map[string]string{"classification": "Confidential", "backups": "daily"}, ""},
		{"confidential in staging, no backups", "staging", map[string]string{"classification": "confidential"}, "warn data/data-backups"},
		{"backups none", "production", map[string]string{"classification": "pii", "backups": "none"}, "warn data/data-backups"},
		{"meant for other types", "development", map[string]string{"env_types": "staging, production"}, "deny data/data-env-types"},
		{"meant for this type", "staging", map[string]string{"env_types": "staging, production"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var data []paved.Policy
			for _, p := range Builtin() {
				if p.ID == "data" {
					data = append(data, p)
				}
			}
			fs, err := e.Evaluate(context.Background(), data, in(tc.env, tc.md))
			if err != nil {
				t.Fatal(err)
			}
			if got := rules(fs); got != tc.want {
				t.Errorf("got %q, want %q (%v)", got, tc.want, fs)
			}
			for _, f := range fs {
				if f.Owner != paved.RoleData || !strings.Contains(f.Message, "(fix: ") {
					t.Errorf("finding %+v lacks its owner or fix", f)
				}
			}
		})
	}
}

// TestFinancePack: budgets and replica caps.
func TestFinancePack(t *testing.T) {
	e := New(0)
	var fin []paved.Policy
	for _, p := range Builtin() {
		if p.ID == "finance" {
			fin = append(fin, p)
		}
	}
	in := func(monthly, other float64, b *paved.Budget, envType string, replicas int) *paved.GateInput {
		o := deployment("web", nil)
		o["spec"].(map[string]any)["replicas"] = replicas
		return &paved.GateInput{Env: &paved.Environment{Name: "x", Type: paved.EnvType(envType)}, Objects: []paved.Object{o},
			Plan: &paved.Plan{Cost: &paved.CostEstimate{Currency: "USD", Monthly: monthly, Estimate: true}},
			Team: &paved.Team{Name: "payments", Budget: b}, TeamMonthly: other}
	}
	for _, tc := range []struct {
		name string
		in   *paved.GateInput
		want string
	}{
		{"within budget", in(10, 50, &paved.Budget{Monthly: 100}, "staging", 2), ""},
		{"no budget", in(500, 500, nil, "staging", 2), ""},
		{"at 80%", in(30, 50, &paved.Budget{Monthly: 100}, "staging", 2), "warn finance/fin-budget"},
		{"beyond a soft budget", in(80, 50, &paved.Budget{Monthly: 100}, "staging", 2), "warn finance/fin-budget"},
		{"beyond a hard budget", in(80, 50, &paved.Budget{Monthly: 100, Hard: true}, "staging", 2), "deny finance/fin-budget"},
		{"a threshold of its own", in(10, 50, &paved.Budget{Monthly: 100, WarnAt: 0.5}, "staging", 2), "warn finance/fin-budget"},
		{"many replicas in development", in(1, 0, nil, "development", 5), "deny finance/fin-replicas"},
		{"many replicas in staging", in(1, 0, nil, "staging", 5), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := e.Evaluate(context.Background(), fin, tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := rules(fs); got != tc.want {
				t.Errorf("got %q, want %q (%v)", got, tc.want, fs)
			}
		})
	}
}

// TestReviewedCases: what a review found, each a regression test.
func TestReviewedCases(t *testing.T) {
	e := New(0)
	ctx := context.Background()
	sec := Builtin()
	pod := paved.Object{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "p"}, "spec": map[string]any{"hostNetwork": true,
		"containers": []any{map[string]any{"name": "c", "image": "x:1", "securityContext": map[string]any{"runAsNonRoot": true}, "resources": map[string]any{"limits": map[string]any{"cpu": "1", "memory": "1Gi"}}}}}}
	cron := paved.Object{"apiVersion": "batch/v1", "kind": "CronJob", "metadata": map[string]any{"name": "nightly"}, "spec": map[string]any{"jobTemplate": map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
		"containers": []any{map[string]any{"name": "c", "image": "busybox", "securityContext": map[string]any{"runAsNonRoot": true}, "resources": map[string]any{"limits": map[string]any{"cpu": "1", "memory": "1Gi"}}}}}}}}}}
	urls := deployment("web", func(_, c map[string]any) {
		c["env"] = []any{map[string]any{"name": "OAUTH_TOKEN_URL", "value": "https://id.example/token"}, map[string]any{"name": "PASSWORD_FILE", "value": "/run/secrets/pw"}}
	})
	fs, err := e.Evaluate(ctx, sec, &paved.GateInput{Objects: []paved.Object{pod, cron, urls}})
	if err != nil {
		t.Fatal(err)
	}
	if got := rules(fs); got != "deny security/sec-host-network, deny security/sec-image-tag" {
		t.Errorf("a Pod, a CronJob and secret locations: %q", got)
	}
	for _, tc := range []struct{ name, module, want string }{
		{"no network from policies", "package paved.x\n\ndeny contains r.body if {\n\tr := http.send({\"method\": \"GET\", \"url\": \"http://127.0.0.1:1\"})\n}\n", "undefined function http.send"},
		{"package main is conftest", "package main\n\ndeny contains \"x\" if true\n", "is a Conftest policy"},
	} {
		err := e.Check(ctx, paved.Policy{ID: "x", Owner: paved.RoleSecurity, Kind: paved.PolicyDeployment, Module: tc.module})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	conf := func(module string) paved.Policy {
		return paved.Policy{ID: "c", Owner: paved.RoleSecurity, Kind: paved.PolicyConftest, Module: module}
	}
	obj := []paved.Object{deployment("legacy", nil)}
	for _, tc := range []struct{ name, module, want string }{
		{"exception of the plain rule", "package main\n\ndeny contains \"no\" if true\n\nexception contains [\"\"] if input.metadata.name == \"legacy\"\n", ""},
		{"a boolean rule says nothing", "package main\n\ndeny_flag := true\n", ""},
		{"not a Conftest rule name", "package main\n\ndeny__double contains \"x\" if true\n", ""},
		{"warn is not excepted by a deny exception", "package main\n\nwarn contains \"w\" if true\n\nexception contains [\"\"] if true\n", "warn c/warn"},
	} {
		fs, err := e.Evaluate(ctx, []paved.Policy{conf(tc.module)}, &paved.GateInput{Objects: obj})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := rules(fs); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if _, err := e.Evaluate(ctx, []paved.Policy{conf("package main\n\nviolation contains {\"details\": 1} if true\n")}, &paved.GateInput{Objects: obj}); err == nil || !strings.Contains(err.Error(), "no msg field") {
		t.Errorf("a violation without msg: %v", err)
	}
}

// TestSettingsRules: allowed registries and regions per classification,
// from the platform's settings; no settings, no rule.
func TestSettingsRules(t *testing.T) {
	e := New(0)
	ctx := context.Background()
	obj := func(image string) []paved.Object {
		return []paved.Object{deployment("web", func(_, c map[string]any) { c["image"] = image })}
	}
	regs := map[string]any{"allowed_registries": []any{"ghcr.io", "registry.example:5000"}}
	for _, tc := range []struct {
		image    string
		settings map[string]any
		want     string
	}{
		{"nginx:1.27", nil, ""},
		{"ghcr.io/acme/web:1", regs, ""},
		{"registry.example:5000/web:1", regs, ""},
		{"nginx:1.27", regs, "deny security/sec-registry"},
		{"quay.io/acme/web:1", regs, "deny security/sec-registry"},
	} {
		fs, err := e.Evaluate(ctx, Builtin(), &paved.GateInput{Objects: obj(tc.image), Settings: tc.settings})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fs {
			if f.Rule == "security/sec-registry" {
				got = append(got, string(f.Level)+" "+f.Rule)
			}
		}
		if strings.Join(got, ", ") != tc.want {
			t.Errorf("%s with %v: %q, want %q", tc.image, tc.settings, got, tc.want)
		}
	}
	ref := paved.DefinitionRef{ID: "pg-eu", Version: 1, Driver: "postgres"}
	in := func(region string, settings map[string]any) *paved.GateInput {
		return &paved.GateInput{Env: &paved.Environment{Name: "s", Type: paved.EnvStaging},
			Plan:        &paved.Plan{Resources: []paved.PlannedResource{{UID: "postgres.default#api.db", Action: paved.PlanCreate, Definition: ref}}},
			Definitions: map[string]paved.ResourceDefinition{ref.String(): {ID: "pg-eu", Metadata: map[string]string{"classification": "pii", "region": region, "backups": "daily"}}},
			Settings:    settings}
	}
	eu := map[string]any{"regions": map[string]any{"pii": []any{"eu-west-1", "eu-central-1"}}}
	for _, tc := range []struct {
		region   string
		settings map[string]any
		want     string
	}{
		{"us-east-1", nil, ""},
		{"eu-west-1", eu, ""},
		{"us-east-1", eu, "deny data/data-region"},
	} {
		fs, err := e.Evaluate(ctx, Builtin(), in(tc.region, tc.settings))
		if err != nil {
			t.Fatal(err)
		}
		if got := rules(fs); got != tc.want {
			t.Errorf("pii in %s with %v: %q, want %q", tc.region, tc.settings, got, tc.want)
		}
	}
}
