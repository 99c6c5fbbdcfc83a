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
		// A key rotation rewrites objects with resealed counting it, and
		// nothing else.
		{"the status of a finished deployment in a rotation", `UPDATE deployments SET status = 'failed', resealed = resealed + 1 WHERE id = 'done'`},
		{"the author of a deployment in a rotation", `UPDATE deployments SET author = 'mallory', objects = '[]', resealed = resealed + 1 WHERE id = 'done'`},
		{"the error of a queued deployment in a rotation", `UPDATE deployments SET error = 'x', resealed = resealed + 1 WHERE id = 'q'`},
		{"a rotation counted twice", `UPDATE deployments SET objects = '[]', resealed = resealed + 2 WHERE id = 'done'`},
		{"a rotation counted back", `UPDATE deployments SET objects = '[]', resealed = resealed - 1 WHERE id = 'done'`},
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
	allowed("sealing a finished deployment's objects again", `UPDATE deployments SET objects = '[{"kind":"ConfigMap","n":1}]', resealed = resealed + 1 WHERE id = 'done'`)
	refused("the objects of a finished deployment after a rotation", `UPDATE deployments SET objects = '[]' WHERE id = 'done'`)
}

// MigrationV5Rows are the rows, written at schema 5 (SQL both stores
// read), that CheckMigratedToV6 expects: team core; app shop without
// environments (its dev, e-shop-old, deleted), whose deployments d1
// (succeeded, two events), d2 (failed) and d3 (queued for server s1)
// remain; a deployment d4 deleted; app cart with its environment dev.
var MigrationV5Rows = []string{
	`INSERT INTO teams (name, created_at) VALUES ('core', '2026-01-01T00:00:00.000000Z')`,
	`INSERT INTO apps (name, team, created_at) VALUES ('shop', 'core', '2026-01-01T00:00:00.000000Z'),
		('cart', 'core', '2026-01-01T00:00:00.000000Z')`,
	`INSERT INTO environments (id, app, name, type, created_at) VALUES ('e-cart-dev', 'cart', 'dev', 'development', '2026-01-01T00:00:00.000000Z')`,
	`INSERT INTO deployments (id, app, env, env_id, env_type, status, runner, created_at, finished_at) VALUES
		('d1', 'shop', 'dev', 'e-shop-old', 'development', 'succeeded', 's1', '2026-01-01T00:00:01.000000Z', '2026-01-01T00:00:01.500000Z'),
		('d2', 'shop', 'dev', 'e-shop-old', 'development', 'failed', 's1', '2026-01-01T00:00:02.000000Z', '2026-01-01T00:00:02.500000Z')`,
	`INSERT INTO deployments (id, app, env, env_id, env_type, status, runner, created_at) VALUES
		('d3', 'shop', 'dev', 'e-shop-old', 'development', 'queued', 's1', '2026-01-01T00:00:03.000000Z'),
		('d4', 'shop', 'dev', 'e-shop-old', 'development', 'queued', 's1', '2026-01-01T00:00:04.000000Z')`,
	`DELETE FROM deployments WHERE id = 'd4'`,
	`INSERT INTO events (deployment, seq, time, level, message) VALUES
		('d1', 1, '2026-01-01T00:00:01.100000Z', 'info', 'plan'), ('d1', 2, '2026-01-01T00:00:01.200000Z', 'info', 'apply')`,
}

// CheckMigratedToV6 checks a store migrated from schema 5 holding
// MigrationV5Rows: the deployments are kept, the database still refuses to
// change them (exec runs raw SQL on s's database), and an app with
// deployments but no environment can be deleted while its deployments and
// their events stay readable.
func CheckMigratedToV6(t *testing.T, s paved.Store, exec func(sql string) error) {
	t.Helper()
	ctx := context.Background()
	kept := func(when string) {
		t.Helper()
		ds, err := s.ListDeployments(ctx, paved.DeploymentFilter{App: "shop"})
		must(t, err)
		if got := ids(ds); strings.Join(got, " ") != "d3 d2 d1" {
			t.Fatalf("deployments of shop %s: %v, want d3 d2 d1", when, got)
		}
		d1, err := s.GetDeployment(ctx, "d1")
		must(t, err)
		if d1.App != "shop" || d1.Status != paved.DeploymentSucceeded || d1.EnvID != "e-shop-old" || d1.Kind != paved.KindDeploy {
			t.Fatalf("d1 %s: %+v", when, d1)
		}
		if last, err := s.LastSuccessful(ctx, "e-shop-old"); err != nil || last.ID != "d1" {
			t.Fatalf("LastSuccessful %s: %v %v", when, last, err)
		}
		events, err := s.Events(ctx, "d1", 0)
		must(t, err)
		if len(events) < 2 || events[0].Message != "plan" || events[1].Message != "apply" {
			t.Fatalf("events of d1 %s: %+v", when, events)
		}
	}
	kept("after the migration")

	// The trigger came through the migration: what was asked, and a
	// finished deployment, still never change; what may change, changes.
	for what, sql := range map[string]string{
		"the status of a finished deployment":  `UPDATE deployments SET status = 'failed' WHERE id = 'd1'`,
		"the app of a finished deployment":     `UPDATE deployments SET app = 'cart' WHERE id = 'd2'`,
		"the author of a queued deployment":    `UPDATE deployments SET author = 'mallory' WHERE id = 'd3'`,
		"a queued deployment straight to done": `UPDATE deployments SET status = 'succeeded' WHERE id = 'd3'`,
	} {
		if err := exec(sql); err == nil || !strings.Contains(err.Error(), "deployments are immutable") {
			t.Errorf("changing %s after the migration: %v", what, err)
		}
	}
	must(t, s.StartDeployment(ctx, "d3", "s1", at(0)))
	must(t, s.FinishDeployment(ctx, "d3", "s1", "", paved.DeploymentFailed, &paved.DeploymentResult{Error: "x"}, at(1)))

	// Environments still hold their app; deployments no more.
	wantError(t, s.DeleteApp(ctx, "cart"), paved.ECONFLICT, `app "cart" still has 1 environment(s): dev`)
	must(t, s.DeleteApp(ctx, "shop"))
	if _, err := s.GetApp(ctx, "shop"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Fatalf("GetApp after DeleteApp: %v", err)
	}
	kept("after deleting their app")
	// Events still reference their deployment.
	must(t, s.AppendEvent(ctx, "d1", &paved.Event{Message: "app deleted"}))
	wantError(t, s.AppendEvent(ctx, "nope", &paved.Event{Message: "x"}), paved.ENOTFOUND, `deployment "nope" not found`)
	// A deployment still needs its app.
	wantError(t, s.CreateDeployment(ctx, &paved.Deployment{App: "shop", Env: "dev"}), paved.ENOTFOUND, `app "shop" not found`)
	must(t, s.CreateDeployment(ctx, &paved.Deployment{ID: "d5", App: "cart", Env: "dev", Runner: "s1"}))
}
