package server

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/examples"
)

// TestMetrics scrapes /metrics of a real server after a deployment, a
// policy's denial and the reaper's deletion of an expired preview: each
// paved_* series holds what happened.
func TestMetrics(t *testing.T) {
	ctx := context.Background()
	s, err := Start(ctx, Config{Addr: "127.0.0.1:0", DataDir: filepath.Join(t.TempDir(), "data"), AdminToken: "pvd_metrics_admin", MVPMode: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	admin := api.NewClient(s.URL, "pvd_metrics_admin")
	must(t, admin.CreateTeam(ctx, &paved.Team{Name: "pioneers"}))
	must(t, admin.CreateApp(ctx, &paved.App{Name: "shop", Team: "pioneers"}))
	_, err = admin.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: "dev"})
	must(t, err)
	specs := map[string]string{}
	for _, f := range examples.Shop() {
		specs[f.Name] = string(f.Data)
	}

	before := scrape(t, s.URL)
	for _, name := range []string{"paved_deployment_queue_depth 0"} {
		if !strings.Contains(before, name) {
			t.Errorf("before anything: no %q in\n%s", name, before)
		}
	}
	d, err := admin.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	must(t, err)
	s.Platform.Wait()
	d, err = admin.GetDeployment(ctx, d.ID)
	must(t, err)
	if d.Status != paved.DeploymentSucceeded {
		t.Fatalf("the deployment %s: %s", d.Status, d.Error)
	}
	deny := paved.Policy{ID: "no-web", Owner: paved.RoleSecurity, Kind: paved.PolicyConftest,
		Module: "package main\n\ndeny contains msg if {\n\tinput.kind == \"Deployment\"\n\tinput.metadata.name == \"web\"\n\tmsg := \"no web\"\n}\n"}
	_, err = admin.ApplyPolicies(ctx, []paved.Policy{deny})
	must(t, err)
	if _, err := admin.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs}); paved.ErrorCode(err) != paved.EFORBIDDEN {
		t.Fatalf("a denied deployment: %v", err)
	}
	_, err = admin.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: "pr-1", Type: paved.EnvEphemeral, TTL: paved.Duration(time.Second)})
	must(t, err)
	time.Sleep(1100 * time.Millisecond)
	if n, err := s.Platform.Reap(ctx); n != 1 || err != nil {
		t.Fatalf("reaped %d, %v", n, err)
	}

	got := scrape(t, s.URL)
	for _, want := range []string{
		`paved_deployments_total{env_type="development",kind="deploy",status="succeeded"} 1`,
		`paved_deployments_total{env_type="development",kind="deploy",status="failed"} 1`,
		`paved_deployment_duration_seconds_count{env_type="development",status="succeeded"} 1`,
		`paved_policy_decisions_total{decision="warn",gate="policy"} 1`, // the security pack warns of the example
		`paved_policy_decisions_total{decision="deny",gate="policy"} 1`,
		`paved_reaper_actions_total{action="deleted"} 1`,
		`paved_deployment_queue_depth 0`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %s in\n%s", want, got)
		}
	}
	// The histogram's sum is the deployment's run time, start to end.
	m := regexp.MustCompile(`paved_deployment_duration_seconds_sum\{env_type="development",status="succeeded"\} (\S+)`).FindStringSubmatch(got)
	if m == nil {
		t.Fatal("no duration sum")
	}
	sum, _ := strconv.ParseFloat(m[1], 64)
	if want := d.FinishedAt.Sub(*d.StartedAt).Seconds(); sum <= 0 || sum > want+1 {
		t.Errorf("duration sum %v, the deployment ran %vs", sum, want)
	}
	for _, line := range strings.Split(got, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "paved_") {
			t.Errorf("a metric not prefixed paved_: %s", line)
		}
	}
}

func scrape(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	return string(b)
}
