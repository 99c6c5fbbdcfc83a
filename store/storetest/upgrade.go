package storetest

import (
	"context"
	"strings"
	"testing"

	"paved.dev/paved"
)

// CheckMigratedToV5 checks a store migrated from schema 4 whose data was an
// environment shop/dev of type development on the gitops target, its
// resource of definition default-postgres, a succeeded deployment d1, a
// rollback d2 of it, and a deployment "gone" older than the environment.
func CheckMigratedToV5(t *testing.T, s paved.Store) {
	t.Helper()
	ctx := context.Background()
	env, err := s.GetEnvironment(ctx, "shop", "dev")
	if err != nil || env.ID == "" {
		t.Fatalf("the environment after migration: %+v %v", env, err)
	}
	d2, err := s.GetDeployment(ctx, "d2")
	if err != nil {
		t.Fatal(err)
	}
	if d2.Kind != paved.KindRollback || d2.Source != "d1" || d2.EnvID != env.ID || d2.EnvType != paved.EnvDevelopment || d2.Target != "gitops" {
		t.Errorf("d2 after migration: kind %q source %q env %q type %q target %q", d2.Kind, d2.Source, d2.EnvID, d2.EnvType, d2.Target)
	}
	// A deployment older than the environment was of an earlier one.
	if gone, _ := s.GetDeployment(ctx, "gone"); gone.EnvID != "" || gone.Kind != paved.KindDeploy {
		t.Errorf("a deployment of an earlier incarnation: env %q kind %q", gone.EnvID, gone.Kind)
	}
	if last, err := s.LastSuccessful(ctx, env.ID); err != nil || last.ID != "d1" {
		t.Errorf("LastSuccessful after migration: %v %v", last, err)
	}
	rs, err := s.ListResources(ctx, paved.ResourceFilter{App: "shop", Env: "dev"})
	if err != nil || len(rs) != 1 || rs[0].Status != paved.ResourceActive || rs[0].DefinitionID != "default-postgres" {
		t.Errorf("resources after migration: %+v %v", rs, err)
	}
	if id, err := s.InstallationID(ctx); err != nil || id == "" {
		t.Errorf("installation id: %q %v", id, err)
	}
}

// CheckDeploymentsImmutable checks that the database itself refuses to
// change what a deployment asked for, anything of a finished one, any move
// but queued → running | failed and running → succeeded | failed, and the
// start time but when a deployment starts, whoever writes: exec runs raw
// SQL on s's database, now is that database's literal for the current
// time.
func CheckDeploymentsImmutable(t *testing.T, s paved.Store, exec func(sql string) error, now string) {
	t.Helper()
	ctx := context.Background()
	must(t, s.CreateTeam(ctx, &paved.Team{Name: "core"}))
	must(t, s.CreateApp(ctx, &paved.App{Name: "shop", Team: "core"}))
	must(t, s.CreateDeployment(ctx, &paved.Deployment{ID: "q", App: "shop", Env: "dev", Author: "ana", Runner: "s1",
		Specs: map[string]string{"a.yaml": "x"}, Status: paved.DeploymentQueued}))
	must(t, s.CreateDeployment(ctx, &paved.Deployment{ID: "q2", App: "shop", Env: "dev", Author: "ana", Runner: "s1",
		Status: paved.DeploymentQueued}))
	must(t, s.CreateDeployment(ctx, &paved.Deployment{ID: "done", App: "shop", Env: "dev", Author: "ana", Status: paved.DeploymentSucceeded,
		DeploymentResult: paved.DeploymentResult{Objects: []paved.Object{{"kind": "ConfigMap"}}}}))
	refused := func(what, sql string) {
		t.Helper()
		if err := exec(sql); err == nil || !strings.Contains(err.Error(), "deployments are immutable") {
			t.Errorf("changing %s: %v", what, err)
		}
	}
	allowed := func(what, sql string) {
		t.Helper()
		if err := exec(sql); err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	for _, tc := range []struct{ what, sql string }{
		{"the specs of a queued deployment", `UPDATE deployments SET specs = '{"a.yaml":"y"}' WHERE id = 'q'`},
		{"the author of a queued deployment", `UPDATE deployments SET author = 'mallory' WHERE id = 'q'`},
		{"the plan of a queued deployment", `UPDATE deployments SET plan = '{}' WHERE id = 'q'`},
		{"the runner of a queued deployment", `UPDATE deployments SET runner = 's2' WHERE id = 'q'`},
		{"the status of a finished deployment", `UPDATE deployments SET status = 'failed' WHERE id = 'done'`},
		{"the objects of a finished deployment", `UPDATE deployments SET objects = '[]' WHERE id = 'done'`},
		{"a queued deployment straight to succeeded", `UPDATE deployments SET status = 'succeeded' WHERE id = 'q'`},
		{"a queued deployment to an unknown status", `UPDATE deployments SET status = 'paused' WHERE id = 'q'`},
		{"the error of a queued deployment", `UPDATE deployments SET error = 'x' WHERE id = 'q'`},
		{"the rollout of a queued deployment", `UPDATE deployments SET rollout = 'rolled_out' WHERE id = 'q'`},
		{"the replacement of a queued deployment", `UPDATE deployments SET replaced_by = 'd-other' WHERE id = 'q'`},
		{"the finish time of a queued deployment", `UPDATE deployments SET finished_at = ` + now + ` WHERE id = 'q'`},
		{"the result of a deployment that starts", `UPDATE deployments SET status = 'running', revision = 'abc' WHERE id = 'q'`},
		{"the start time of a queued deployment that fails", `UPDATE deployments SET status = 'failed', error = 'x', finished_at = ` + now + `, started_at = ` + now + ` WHERE id = 'q2'`},
		{"the start time of a finished deployment", `UPDATE deployments SET started_at = ` + now + ` WHERE id = 'done'`},
	} {
		refused(tc.what, tc.sql)
	}
	// What may change, changes: a queued deployment starts, records its
	// inventory while it runs, and finishes with its result.
	allowed("starting a queued deployment", `UPDATE deployments SET status = 'running', started_at = `+now+` WHERE id = 'q'`)
	refused("the error of a running deployment", `UPDATE deployments SET error = 'x' WHERE id = 'q'`)
	refused("the start time of a running deployment", `UPDATE deployments SET started_at = NULL WHERE id = 'q'`)
	allowed("recording a running deployment's inventory", `UPDATE deployments SET inventory = '[]' WHERE id = 'q'`)
	refused("the start time of a deployment that finishes", `UPDATE deployments SET status = 'succeeded', finished_at = `+now+`, started_at = NULL WHERE id = 'q'`)
	allowed("finishing a running deployment", `UPDATE deployments SET status = 'succeeded', rollout = 'applied', finished_at = `+now+` WHERE id = 'q'`)
	refused("a succeeded deployment back to running", `UPDATE deployments SET status = 'running' WHERE id = 'q'`)
	allowed("failing a queued deployment that never started", `UPDATE deployments SET status = 'failed', error = 'x', finished_at = `+now+` WHERE id = 'q2'`)
}
