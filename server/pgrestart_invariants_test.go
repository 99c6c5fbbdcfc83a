package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// checkRecorded checks, once the load of a round begun at started has
// stopped, what the replicas recorded: every deployment of the round
// ends, every one answered 202 is recorded, none is half-written
// (pgEnded), and none changed its status once seen finished.
func (r *pgRound) checkRecorded(t *testing.T, l *pgLoad, started, stopped time.Time) {
	t.Helper()
	// Every deployment of the round ends: the orphan timeout (2 s) and the
	// lease (3 s), and a margin for a loaded machine.
	ctx := context.Background()
	c := l.clients[0]
	since := started
	var list []paved.Deployment
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var open []paved.Deployment
		var err error
		for _, e := range l.envs {
			var ds []paved.Deployment
			if ds, err = c.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: e, Statuses: []paved.DeploymentStatus{paved.DeploymentQueued, paved.DeploymentRunning}, Limit: 1000}); err != nil {
				break
			}
			open = append(open, ds...)
		}
		if err == nil && len(open) == 0 {
			break
		}
		if time.Now().After(deadline) {
			for _, d := range open {
				r.violations = append(r.violations, fmt.Sprintf("deployment %s (%s, runner %s) is still %s %v after the load stopped", d.ID, d.Env, d.Runner, d.Status, time.Since(stopped).Round(time.Millisecond)))
			}
			if err != nil {
				r.violations = append(r.violations, fmt.Sprintf("listing deployments %v after the load stopped: %v", time.Since(stopped).Round(time.Millisecond), err))
			}
			return
		}
	}
	for _, e := range l.envs {
		ds, err := c.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: e, CreatedSince: &since, Limit: 1000})
		must(t, err)
		list = append(list, ds...)
	}
	recorded, accepted, replacements := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, id := range r.accepted {
		accepted[id] = true
	}
	for _, d := range list {
		if d.ReplacedBy != "" {
			replacements[d.ReplacedBy] = true
		}
	}
	for _, d := range list {
		recorded[d.ID] = true
		if !accepted[d.ID] && !replacements[d.ID] {
			// Sent during the restart and answered with an error, but
			// recorded: it must end like any other.
			r.unanswered = append(r.unanswered, d.ID)
		}
		full, err := c.GetDeployment(ctx, d.ID)
		must(t, err)
		if full.FinishedAt != nil {
			r.lastEndAfterUp = max(r.lastEndAfterUp, full.FinishedAt.Sub(r.upAt))
		}
		kind, problem := pgEnded(full)
		if r.ended[kind]++; r.ended[kind] == 1 && full.Error != "" {
			t.Logf("%s, e.g. %s: %s", kind, full.ID, full.Error)
		}
		if problem != "" {
			r.violations = append(r.violations, fmt.Sprintf("deployment %s (%s): %s", d.ID, d.Env, problem))
		}
		if was := r.statuses[d.ID]; was.Finished() && was != full.Status {
			r.violations = append(r.violations, fmt.Sprintf("deployment %s was seen %s, is now %s", d.ID, was, full.Status))
		}
	}
	for _, id := range r.accepted {
		if !recorded[id] {
			r.violations = append(r.violations, fmt.Sprintf("deployment %s was accepted (202) but is not recorded", id))
		}
	}
	for kind, msgs := range r.byKind {
		t.Logf("errors %q, e.g.: %s", kind, strings.Join(msgs, " | "))
	}
}

// pgEnded sorts how a deployment ended, and says what is wrong with it: a
// deployment still queued or running, a success without what a success
// records, a failure without a finish time or a reason, or whose reason
// is an internal error.
func pgEnded(d *paved.Deployment) (kind, problem string) {
	switch d.Status {
	case paved.DeploymentSucceeded:
		var missing []string
		for what, absent := range map[string]bool{"a start time": d.StartedAt == nil, "a finish time": d.FinishedAt == nil,
			"an inventory": len(d.Inventory) == 0, "objects": len(d.Objects) == 0, "a revision": d.Revision == "",
			"a rollout": d.Rollout == "", "no error": d.Error != ""} {
			if absent {
				missing = append(missing, what)
			}
		}
		if len(missing) > 0 {
			slices.Sort(missing)
			return "succeeded", "succeeded, half-written: it lacks " + strings.Join(missing, ", ")
		}
		return "succeeded", ""
	case paved.DeploymentFailed:
		kind = "failed: other"
		for _, k := range []struct{ kind, says string }{
			{"failed: applied, not recorded, brought back", "it was applied, but recording what it did failed"},
			{"failed: stale plan, replaced", "the plan is stale"},
			{"failed: orphaned (its server lost touch with the store)", "lost touch with the store"},
			{"failed: swept (a write to the store failed)", "a write to the store failed"},
			{"failed: could not start", "it could not start"},
			{"failed: lease lost", "lease"},
			{"failed: the database was unavailable", "the PostgreSQL database is unavailable"},
		} {
			if strings.Contains(d.Error, k.says) {
				kind = k.kind
				break
			}
		}
		switch {
		case d.FinishedAt == nil:
			return kind, "failed without a finish time"
		case d.Error == "":
			return kind, "failed without a reason"
		case strings.Contains(d.Error, "internal error"):
			return kind, "failed with an internal error: " + d.Error
		}
		return kind, ""
	}
	return string(d.Status), fmt.Sprintf("is still %s", d.Status)
}
