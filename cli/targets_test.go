package cli

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

// targetsFake serves what the targets, env status and definitions check
// commands need, and remembers what it was asked.
type targetsFake struct {
	// The services' other methods are not used here.
	paved.EnvironmentService
	paved.DefinitionService
	mu         sync.Mutex
	registered *paved.TargetInfo
	checkedIDs []string
}

var tt0 = time.Date(2025, 11, 24, 9, 0, 0, 0, time.UTC)

func (f *targetsFake) RegisterTarget(ctx context.Context, t *paved.TargetInfo) (*paved.TargetInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cp := *t
	f.registered = &cp
	out := *t
	out.Kubeconfig, out.Server, out.CreatedAt = "", "https://10.0.0.1:6443", tt0
	if t.InCluster {
		out.Server = ""
	}
	return &out, nil
}

func (f *targetsFake) ListTargets(ctx context.Context) ([]paved.TargetInfo, error) {
	return []paved.TargetInfo{
		{Name: "gitops", Type: paved.TargetGitOps},
		{Name: "prod-eu", Type: paved.TargetKubernetes, Kubeconfig: "client-key-data: c2VjcmV0", Context: "eu", Server: "https://10.0.0.1:6443", CreatedAt: tt0},
		{Name: "home", Type: paved.TargetKubernetes, InCluster: true, CreatedAt: tt0},
	}, nil
}

func (f *targetsFake) ProbeTarget(ctx context.Context, name string) (*paved.ProbeResult, error) {
	switch name {
	case "gitops":
		return &paved.ProbeResult{Name: name, Kind: "target", Status: paved.ProbeOK, Message: "reachable", CheckedAt: tt0}, nil
	case "prod-eu":
		return &paved.ProbeResult{Name: name, Kind: "target", Status: paved.ProbeFailed, Message: "namespaces: forbidden: paved may not create namespaces", CheckedAt: tt0}, nil
	}
	return nil, paved.Errorf(paved.ENOTFOUND, "target %q not found", name)
}

func (f *targetsFake) EnvironmentStatus(ctx context.Context, app, env string) (*paved.EnvironmentStatus, error) {
	st := &paved.EnvironmentStatus{App: app, Env: env, Target: "prod-eu", Deployment: "d7", InSync: true, Drift: []paved.Drift{}}
	switch env {
	case "new":
		st.Deployment = ""
	case "prod":
		st.InSync = false
		st.Drift = []paved.Drift{
			{Ref: paved.ObjectRef{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop-prod", Name: "api"}, State: "changed",
				Fields: []string{"spec.replicas: 2 → 5", "spec.template.spec.containers[0].image: api:1 → api:2"}},
			{Ref: paved.ObjectRef{APIVersion: "v1", Kind: "Service", Namespace: "shop-prod", Name: "api"}, State: "missing"},
		}
	case "gone":
		return nil, paved.Errorf(paved.ENOTFOUND, "environment %s/%s not found", app, env)
	}
	return st, nil
}

func (f *targetsFake) ProbeDefinitions(ctx context.Context, ids []string) ([]paved.ProbeResult, error) {
	f.mu.Lock()
	f.checkedIDs = ids
	f.mu.Unlock()
	all := []paved.ProbeResult{
		{Name: "postgres-prod", Kind: "definition", Status: paved.ProbeFailed, Message: "connect to pg:5432: connection refused", CheckedAt: tt0},
		{Name: "redis-prod", Kind: "definition", Status: paved.ProbeOK, Message: "connected, with the rights the redis driver needs", CheckedAt: tt0},
	}
	if len(ids) == 0 {
		return all, nil
	}
	var out []paved.ProbeResult
	for _, id := range ids {
		found := false
		for _, h := range all {
			if h.Name == id {
				out, found = append(out, h), true
			}
		}
		if !found {
			return nil, paved.Errorf(paved.ENOTFOUND, "definition %s not found", id)
		}
	}
	return out, nil
}

// targetsServer starts an API server over a targetsFake and returns it and
// the flags that reach it.
func targetsServer(t *testing.T) (*targetsFake, []string) {
	t.Helper()
	t.Setenv("PAVED_CONFIG", filepath.Join(t.TempDir(), "none.json"))
	f := &targetsFake{}
	s := api.NewServer(api.Config{
		Services: api.Services{Targets: f, Environments: f, Definitions: f},
		Authenticate: func(ctx context.Context, token string) (*paved.User, error) {
			if token != "tok" {
				return nil, paved.Errorf(paved.EUNAUTHORIZED, "the token is not valid: unknown token")
			}
			return &paved.User{Name: "alice", Role: paved.RoleAdmin}, nil
		},
	})
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return f, []string{"--server", srv.URL, "--token", "tok"}
}

func TestTargetsCommands(t *testing.T) {
	f, conn := targetsServer(t)
	dir := t.TempDir()
	kubeconfig := filepath.Join(dir, "kubeconfig")
	must(t, os.WriteFile(kubeconfig, []byte("apiVersion: v1\nkind: Config\ncurrent-context: eu\n"), 0o600))
	big := filepath.Join(dir, "big")
	must(t, os.WriteFile(big, make([]byte, maxKubeconfig+1), 0o600))

	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantOut   []string
		wantErr   string
		notInOut  []string
		wantCheck func(t *testing.T)
	}{
		{name: "add with a kubeconfig", args: []string{"targets", "add", "prod-eu", "--kubeconfig", kubeconfig, "--context", "eu"},
			wantOut: []string{"target prod-eu registered (kubernetes, https://10.0.0.1:6443); probe it with paved targets probe prod-eu\n"},
			wantCheck: func(t *testing.T) {
				got := f.registered
				if got == nil || got.Type != paved.TargetKubernetes || got.Context != "eu" || got.InCluster ||
					got.Kubeconfig != "apiVersion: v1\nkind: Config\ncurrent-context: eu\n" {
					t.Errorf("the server got %+v", got)
				}
			}},
		{name: "add in the cluster, as JSON", args: []string{"targets", "add", "home", "--in-cluster", "-o", "json"},
			wantOut: []string{`"name": "home"`, `"in_cluster": true`},
			wantCheck: func(t *testing.T) {
				if got := f.registered; got == nil || !got.InCluster || got.Kubeconfig != "" {
					t.Errorf("the server got %+v", got)
				}
			}},
		{name: "add with neither", args: []string{"targets", "add", "x"}, wantCode: 2, wantErr: "give --kubeconfig FILE, or --in-cluster for the cluster paved runs in"},
		{name: "add with both", args: []string{"targets", "add", "x", "--kubeconfig", kubeconfig, "--in-cluster"}, wantCode: 2, wantErr: "--kubeconfig and --in-cluster: give one of them"},
		{name: "add a context in the cluster", args: []string{"targets", "add", "x", "--in-cluster", "--context", "eu"}, wantCode: 2, wantErr: "--in-cluster has none"},
		{name: "add a missing file", args: []string{"targets", "add", "x", "--kubeconfig", filepath.Join(dir, "nope")}, wantCode: 2, wantErr: "no such file"},
		{name: "add a file over 1 MiB", args: []string{"targets", "add", "x", "--kubeconfig", big}, wantCode: 2, wantErr: "larger than 1048576 bytes"},
		{name: "add with a bad output", args: []string{"targets", "add", "x", "--in-cluster", "-o", "xml"}, wantCode: 2, wantErr: `--output: "xml" is not one of table, json, yaml`},
		{name: "add without a name", args: []string{"targets", "add", "--in-cluster"}, wantCode: 2, wantErr: "accepts 1 arg(s)"},

		{name: "list", args: []string{"targets", "list"}, wantOut: []string{
			"NAME     TYPE        SERVER                 CONTEXT       CREATED\n",
			"gitops   gitops      -                      -             -\n",
			"prod-eu  kubernetes  https://10.0.0.1:6443  eu            2025-11-24T09:00:00Z\n",
			"home     kubernetes  -                      (in cluster)  2025-11-24T09:00:00Z\n",
		}},
		{name: "list as JSON shows no kubeconfig", args: []string{"targets", "list", "-o", "json"},
			wantOut: []string{`"name": "prod-eu"`}, notInOut: []string{"kubeconfig", "c2VjcmV0"}},
		{name: "list as YAML", args: []string{"targets", "list", "-o", "yaml"}, wantOut: []string{"name: prod-eu", "context: eu"}, notInOut: []string{"kubeconfig"}},

		{name: "probe ok", args: []string{"targets", "probe", "gitops"}, wantOut: []string{"TARGET  STATUS  MESSAGE\n", "gitops  ok      reachable\n"}},
		{name: "probe failed", args: []string{"targets", "probe", "prod-eu"}, wantCode: 7,
			wantOut: []string{"prod-eu  failed  namespaces: forbidden: paved may not create namespaces\n"},
			wantErr: "error: target prod-eu failed its probe: namespaces: forbidden: paved may not create namespaces\n"},
		{name: "probe failed, as JSON", args: []string{"targets", "probe", "prod-eu", "-o", "json"}, wantCode: 7, wantOut: []string{`"status": "failed"`}},
		{name: "check an unknown target", args: []string{"targets", "check", "nope"}, wantCode: 3, wantErr: `target "nope" not found`},

		{name: "env status in sync", args: []string{"env", "status", "dev", "--app", "shop"}, wantOut: []string{"shop/dev: in sync with deployment d7 on target prod-eu\n"}, notInOut: []string{"REF"}},
		{name: "env status, nothing deployed", args: []string{"env", "status", "new", "--app", "shop"}, wantOut: []string{"shop/new: in sync (nothing deployed yet, target prod-eu)\n"}},
		{name: "env status with drift", args: []string{"env", "status", "prod", "--app", "shop"}, wantOut: []string{
			"shop/prod: 2 object(s) differ from deployment d7 on target prod-eu\n",
			"REF                       STATE    FIELDS\n",
			"Deployment/shop-prod/api  changed  spec.replicas: 2 → 5; spec.template.spec.containers[0].image: api:1 → api:2\n",
			"Service/shop-prod/api     missing  -\n",
		}, notInOut: []string{"in sync"}},
		{name: "env status as YAML", args: []string{"env", "status", "prod", "--app", "shop", "-o", "yaml"},
			wantOut: []string{"in_sync: false", "state: missing"}, notInOut: []string{"differ"}},
		{name: "env status without --app", args: []string{"env", "status", "prod"}, wantCode: 2, wantErr: `required flag(s) "app" not set`},
		{name: "env status of an unknown environment", args: []string{"env", "status", "gone", "--app", "shop"}, wantCode: 3, wantErr: "environment shop/gone not found"},

		{name: "definitions check, one fails", args: []string{"definitions", "check"}, wantCode: 7,
			wantOut: []string{
				"DEFINITION     STATUS  MESSAGE\n",
				"postgres-prod  failed  connect to pg:5432: connection refused\n",
				"redis-prod     ok      connected, with the rights the redis driver needs\n",
			},
			wantErr: "error: 1 of 2 definitions failed their probe: postgres-prod\n",
			wantCheck: func(t *testing.T) {
				if len(f.checkedIDs) != 0 {
					t.Errorf("ids %q, want none", f.checkedIDs)
				}
			}},
		{name: "definitions check the good one", args: []string{"definitions", "check", "redis-prod", "-o", "json"},
			wantOut: []string{`"name": "redis-prod"`, `"status": "ok"`}, notInOut: []string{"postgres"},
			wantCheck: func(t *testing.T) {
				if fmt.Sprint(f.checkedIDs) != "[redis-prod]" {
					t.Errorf("ids %q, want [redis-prod]", f.checkedIDs)
				}
			}},
		{name: "definitions check an unknown one", args: []string{"defs", "check", "nope"}, wantCode: 3, wantErr: "definition nope not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, append(tt.args, conn...)...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errs)
			}
			for _, want := range tt.wantOut {
				if !strings.Contains(out, want) {
					t.Errorf("stdout lacks %q:\n%s", want, out)
				}
			}
			for _, never := range tt.notInOut {
				if strings.Contains(out, never) {
					t.Errorf("stdout shows %q:\n%s", never, out)
				}
			}
			if !strings.Contains(errs, tt.wantErr) {
				t.Errorf("stderr %q, want it to contain %q", errs, tt.wantErr)
			}
			if tt.wantCode == 0 && errs != "" {
				t.Errorf("stderr on success: %q", errs)
			}
			if tt.wantCheck != nil {
				tt.wantCheck(t)
			}
		})
	}
	t.Run("a bad token", func(t *testing.T) {
		code, _, errs := run(t, "targets", "check", "gitops", "--server", conn[1], "--token", "bad")
		if code != 5 || !strings.Contains(errs, "the token is not valid: unknown token") {
			t.Errorf("exit %d, stderr %q; want 5 and the reason", code, errs)
		}
	})
}

// TestTargetsHelp checks that every new command explains itself with
// examples.
func TestTargetsHelp(t *testing.T) {
	for _, args := range [][]string{
		{"targets", "add"}, {"targets", "list"}, {"targets", "probe"}, {"env", "status"}, {"definitions", "probe"},
	} {
		code, out, errs := run(t, append(args, "--help")...)
		if code != 0 || !strings.Contains(out, "Examples:\n  paved "+strings.Join(args, " ")) || !strings.Contains(out, "-o, --output") {
			t.Errorf("paved %s --help: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
		}
	}
}

func (f *targetsFake) RemoveTarget(ctx context.Context, name string) error {
	return paved.Errorf(paved.ENOTFOUND, "no target %q", name)
}
