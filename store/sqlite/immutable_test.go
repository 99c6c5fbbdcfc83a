package sqlite

import (
	"context"
	"strings"
	"testing"

	"paved.dev/paved"
)

// TestDeploymentsAreImmutable: the database itself refuses to change what
// a deployment asked for, and anything of a finished one, whoever writes.
func TestDeploymentsAreImmutable(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.CreateTeam(ctx, &paved.Team{Name: "core"}))
	must(db.CreateApp(ctx, &paved.App{Name: "shop", Team: "core"}))
	must(db.CreateDeployment(ctx, &paved.Deployment{ID: "q", App: "shop", Env: "dev", Author: "ana", Runner: "s1",
		Specs: map[string]string{"a.yaml": "x"}, Status: paved.DeploymentQueued}))
	must(db.CreateDeployment(ctx, &paved.Deployment{ID: "done", App: "shop", Env: "dev", Author: "ana", Status: paved.DeploymentSucceeded,
		DeploymentResult: paved.DeploymentResult{Objects: []paved.Object{{"kind": "ConfigMap"}}}}))
	for _, tc := range []struct {
		name, sql string
	}{
		{"the specs of a queued deployment", `UPDATE deployments SET specs = '{"a.yaml":"y"}' WHERE id = 'q'`},
		{"the author of a queued deployment", `UPDATE deployments SET author = 'mallory' WHERE id = 'q'`},
		{"the plan of a queued deployment", `UPDATE deployments SET plan = '{}' WHERE id = 'q'`},
		{"the runner of a queued deployment", `UPDATE deployments SET runner = 's2' WHERE id = 'q'`},
		{"the status of a finished deployment", `UPDATE deployments SET status = 'failed' WHERE id = 'done'`},
		{"the objects of a finished deployment", `UPDATE deployments SET objects = '[]' WHERE id = 'done'`},
		{"a queued deployment straight to succeeded", `UPDATE deployments SET status = 'succeeded' WHERE id = 'q'`},
		{"a queued deployment back to an unknown status", `UPDATE deployments SET status = 'paused' WHERE id = 'q'`},
		{"the error of a queued deployment", `UPDATE deployments SET error = 'x' WHERE id = 'q'`},
		{"the rollout of a queued deployment", `UPDATE deployments SET rollout = 'rolled_out' WHERE id = 'q'`},
		{"the finish time of a queued deployment", `UPDATE deployments SET finished_at = '2026-01-01T00:00:00.000000Z' WHERE id = 'q'`},
		{"the result of a deployment that starts", `UPDATE deployments SET status = 'running', revision = 'abc' WHERE id = 'q'`},
	} {
		_, err := db.w.ExecContext(ctx, tc.sql)
		if err == nil || !strings.Contains(err.Error(), "deployments are immutable") {
			t.Errorf("changing %s: %v", tc.name, err)
		}
	}
	// What may change, changes: a queued deployment starts.
	if _, err := db.w.ExecContext(ctx, `UPDATE deployments SET status = 'running', started_at = '2026-01-01T00:00:00.000000Z' WHERE id = 'q'`); err != nil {
		t.Errorf("starting a queued deployment: %v", err)
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE deployments SET error = 'x' WHERE id = 'q'`); err == nil || !strings.Contains(err.Error(), "deployments are immutable") {
		t.Errorf("setting the error of a running deployment: %v", err)
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE deployments SET inventory = '[]' WHERE id = 'q'`); err != nil {
		t.Errorf("recording a running deployment's inventory: %v", err)
	}
	if _, err := db.w.ExecContext(ctx, `UPDATE deployments SET status = 'succeeded', rollout = 'applied', finished_at = '2026-01-01T00:00:00.000000Z' WHERE id = 'q'`); err != nil {
		t.Errorf("finishing a running deployment: %v", err)
	}
}
