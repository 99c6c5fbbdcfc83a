package sqlite

import (
	"context"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/store/record"
)

// TestQueryPlans checks that the reads the API makes most use an index and
// never sort: with 10,000 deployments a sort would read every row of the
// app. Every query is the one the store runs, built by the store's own
// constants and functions.
func TestQueryPlans(t *testing.T) {
	db := openTemp(t)
	defer db.Close()
	ctx := context.Background()
	list := func(f paved.DeploymentFilter) (string, []any) {
		t.Helper()
		q, args, err := listDeploymentsSQL(f)
		if err != nil {
			t.Fatal(err)
		}
		return q, args
	}
	envSQL, envArgs := list(paved.DeploymentFilter{App: "shop", Env: "dev", Limit: 20})
	appSQL, appArgs := list(paved.DeploymentFilter{App: "shop", Limit: 20})
	incSQL, incArgs := list(paved.DeploymentFilter{EnvID: "e-1", Statuses: []paved.DeploymentStatus{paved.DeploymentFailed}})
	allSQL, allArgs := list(paved.DeploymentFilter{Limit: 20})
	weekAgo := time.Now().Add(-7 * 24 * time.Hour)
	stableSQL, stableArgs := list(paved.DeploymentFilter{EnvID: "e-1", Statuses: []paved.DeploymentStatus{paved.DeploymentSucceeded}, CreatedBefore: &weekAgo, Limit: 1})
	rollbackSQL, rollbackArgs := list(paved.DeploymentFilter{App: "shop", Kind: paved.KindRollback, Statuses: []paved.DeploymentStatus{paved.DeploymentSucceeded}, Limit: 1})
	weekSQL, weekArgs := list(paved.DeploymentFilter{App: "shop", Statuses: []paved.DeploymentStatus{paved.DeploymentSucceeded}, CreatedBefore: &weekAgo, Limit: 1})
	previewSQL, previewArgs := list(paved.DeploymentFilter{App: "shop", EnvType: paved.EnvEphemeral, Statuses: []paved.DeploymentStatus{paved.DeploymentSucceeded}, CreatedSince: &weekAgo, Limit: 1})
	mineSQL, mineArgs := list(paved.DeploymentFilter{Runner: "s1", Statuses: []paved.DeploymentStatus{paved.DeploymentQueued, paved.DeploymentRunning}})
	resSQL, resArgs := listResourcesSQL(paved.ResourceFilter{App: "shop", Env: "dev"})
	since, before := time.Now().Add(-time.Hour), time.Now()
	auditSQL, auditArgs := listAuditSQL(paved.AuditFilter{})
	auditActorSQL, auditActorArgs := listAuditSQL(paved.AuditFilter{Actor: "ana", Action: "deploy", Limit: 20})
	auditTimeSQL, auditTimeArgs := listAuditSQL(paved.AuditFilter{Since: &since, Before: &before})
	auditActionSQL, auditActionArgs := listAuditSQL(paved.AuditFilter{Action: "target.probe", Limit: 500})
	waiversSQL, waiversArgs := listWaiversSQL(paved.WaiverFilter{App: "shop", Env: "dev", Status: paved.WaiverApproved})
	envWaiversSQL, envWaiversArgs := listWaiversSQL(paved.WaiverFilter{App: "shop", Env: "dev"})
	for _, q := range []struct {
		name, sql string
		args      []any
		index     string
		// allowSort lets the plan sort what the index selects, when that
		// is bounded.
		allowSort bool
	}{
		{name: "list env", sql: envSQL, args: envArgs, index: "deployments_app_env_created"},
		{name: "list app", sql: appSQL, args: appArgs, index: "deployments_app_created"},
		{name: "list across apps", sql: allSQL, args: allArgs, index: "deployments_created"},
		{name: "last successful", sql: lastSuccessfulSQL, args: []any{"e-1"}, index: "deployments_env_finished"},
		{name: "get", sql: getDeploymentSQL, args: []any{"x"}, index: "sqlite_autoindex_deployments"},
		{name: "events", sql: eventsSQL, args: []any{"x", 0}, index: "PRIMARY KEY"},
		{name: "token", sql: tokenByHashSQL, args: []any{[]byte("h")}, index: "tokens_hash"},
		{name: "resources", sql: resSQL, args: resArgs, index: "sqlite_autoindex_resources"},
		{name: "audit", sql: auditSQL, args: auditArgs, index: "audit_time"},
		{name: "audit of an actor's action", sql: auditActorSQL, args: auditActorArgs, index: "audit_action_time"},
		{name: "audit of one action (the last probes)", sql: auditActionSQL, args: auditActionArgs, index: "audit_action_time"},
		{name: "audit in a time range", sql: auditTimeSQL, args: auditTimeArgs, index: "audit_time"},
		// The failed deployments of an incarnation since its last
		// success, one server's unfinished deployments and every
		// unfinished one: few, however long the history.
		{name: "failed deployments of an incarnation", sql: incSQL, args: incArgs, index: "deployments_env_status_created"},
		// Readiness: staging succeeded before a week ago; a rollback
		// succeeded.
		{name: "an incarnation's successes before a time", sql: stableSQL, args: stableArgs, index: "deployments_env_status_created"},
		{name: "an app's successful rollbacks", sql: rollbackSQL, args: rollbackArgs, index: "deployments_app_kind_status"},
		// Scorecard facts: a success in a week; a preview deployed; the
		// history of an app's results on a scorecard.
		{name: "an app's latest success before a time", sql: weekSQL, args: weekArgs, index: "deployments_app_status_created"},
		{name: "an app's successes in previews", sql: previewSQL, args: previewArgs, index: "deployments_app_envtype_status"},
		{name: "an app's scorecard results", sql: scorecardResultsSQL, args: []any{"shop", "mvp", 100}, index: "PRIMARY KEY"},
		{name: "this server's unfinished deployments", sql: mineSQL, args: mineArgs, index: "deployments_unfinished", allowSort: true},
		{name: "orphaned deployments", sql: selectOrphanedSQL, args: []any{"t", "", ""}, index: "deployments_unfinished", allowSort: true},
		{name: "fail orphaned deployments", sql: failOrphanedSQL, args: []any{"failed", "x", "t", "t", "", ""}, index: "deployments_unfinished"},
		// The approved waivers of an environment, which every plan reads;
		// an environment's waivers in every state, which are few.
		{name: "waivers of an environment in one state", sql: waiversSQL, args: waiversArgs, index: "waivers_app_env_status"},
		{name: "waivers of an environment", sql: envWaiversSQL, args: envWaiversArgs, index: "waivers_app_env_status", allowSort: true},
		{name: "get waiver", sql: "SELECT " + record.WaiverCols + " FROM waivers WHERE id = ?", args: []any{"w-1"}, index: "sqlite_autoindex_waivers"},
	} {
		rows, err := db.r.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		text := strings.Join(plan, "; ")
		sorts := strings.Contains(text, "TEMP B-TREE")
		if !strings.Contains(text, q.index) || sorts && !q.allowSort {
			t.Errorf("%s: plan %q, want it to use %s without a sort", q.name, text, q.index)
		}
	}
}
