package server

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// TestPostgresRestartUnderLoad restarts the PostgreSQL server under two
// replicas while deployments and reads go through both: once a fast
// shutdown (SIGINT to its postmaster, as pg_ctl -m fast: sessions cut, a
// clean shutdown) and once an immediate one (SIGQUIT, as -m immediate: a
// crash of the database server, recovered from its WAL). It runs on a
// private PostgreSQL server (startPrivatePostgres), never the shared one. For each restart:
//
//   - the servers keep serving, and every request either succeeded or was
//     answered 503 with a message that names the database (never a 500
//     "internal error", never a hang, never a dropped connection);
//   - every deployment answered 202 is recorded and ends, within the
//     orphan timeout: none is left queued or running;
//   - none is half-written: a success has its start and finish times, its
//     inventory, objects, revision and rollout; a failure its finish time
//     and a reason;
//   - the Git remote holds each environment's last success's objects, and
//     the environment each resource that deployment's plan uses, active,
//     of the plan's definition and driver (at once, or once the
//     environment is brought back, within 15 s);
//   - and deployments through each replica succeed afterwards.
//
// test/pg-restart.sh N runs N restarts (PAVED_PG_RESTARTS), alternating
// fast and immediate; PAVED_PG_DOWN=3s keeps the database stopped that
// long in each, longer than the replicas' orphan timeout (2 s) and lease
// (3 s).
func TestPostgresRestartUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes and a PostgreSQL server")
	}
	began := time.Now()
	pg := startPrivatePostgres(t)
	t.Logf("a private PostgreSQL server (its socket in %s), started in %v", pg.dir, time.Since(began).Round(time.Millisecond))
	modes := []string{"fast", "immediate"}
	if n, err := strconv.Atoi(os.Getenv("PAVED_PG_RESTARTS")); err == nil && n > 0 {
		modes = nil
		for i := range n {
			modes = append(modes, []string{"fast", "immediate"}[i%2])
		}
	}
	ctx := context.Background()
	_, clients, env := startReplicasOn(t, pg.createDatabase(t, "paved"), "PAVED_TEST_ORPHAN_AFTER=2s", "PAVED_TEST_LEASE_TTL=3s", "PAVED_TEST_LOG=warn")
	envs := []string{"dev", "qa"}
	for _, e := range envs {
		_, err := clients[0].CreateEnvironment(ctx, &paved.EnvironmentRequest{App: "shop", Name: e, Type: paved.EnvDevelopment})
		must(t, err)
	}
	var remote string
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PAVED_TEST_GIT_URL="); ok {
			remote = v
		}
	}
	t.Logf("two replicas on it, %v into the test", time.Since(began).Round(time.Millisecond))
	l := &pgLoad{clients: clients, envs: envs}
	l.down, _ = time.ParseDuration(os.Getenv("PAVED_PG_DOWN"))
	// Each environment has a success to start from.
	l.deploySucceeds(t, "before the first restart")

	var sum pgSummary
	for round, mode := range modes {
		name := fmt.Sprintf("restart %d (-m %s)", round+1, mode)
		r := l.round(t, pg, mode)
		sum.add(r)
		t.Logf("%s, checked %v into the test: database down for %v; %d requests, errors %v, seen for %v per replica, ending %v after it was back; %d deployments accepted (and %d recorded though their answer was an error: %v), all ended, the last %v after it was back: %v",
			name, time.Since(began).Round(time.Millisecond), r.down.Round(time.Millisecond), r.requests, r.errors, r.errorSpans(), roundAll(r.lastErrorAfterUp),
			len(r.accepted), len(r.unanswered), r.unanswered, r.lastEndAfterUp.Round(time.Millisecond), r.ended)
		for _, v := range r.violations {
			t.Errorf("%s: %s", name, v)
		}
		if t.Failed() {
			t.Logf("the private PostgreSQL server's log ends:\n%s", pg.logTail())
			return
		}
		gitAfter := lastSuccessConverges(t, clients[round%2], remote, envs, name)
		sum.maxGitAfter = max(sum.maxGitAfter, gitAfter)
		if gitAfter > 0 {
			t.Logf("%s: the Git remote and the resources were each environment's last success's %v after the deployments ended", name, gitAfter.Round(time.Millisecond))
		}
		l.deploySucceeds(t, "after "+name)
		if t.Failed() {
			return
		}
	}
	t.Logf("%d restarts (%v): %d requests, errors %v; deployments %d accepted, %d recorded though answered an error, ended: %v; database down %v–%v; errors seen for at most %v, ending at most %v after it was back; the last of a round ended at most %v after it was back; the Git remote and the resources were the last successes' at most %v after they ended (0: at the first look)",
		len(modes), sum.modes, sum.requests, sum.errors, sum.accepted, sum.unanswered, sum.ended, sum.minDown.Round(time.Millisecond), sum.maxDown.Round(time.Millisecond),
		sum.maxErrorSpan, sum.maxErrorsAfterUp.Round(time.Millisecond), sum.maxLastEnd.Round(time.Millisecond), sum.maxGitAfter.Round(time.Millisecond))
}

// pgSummary adds up the rounds.
type pgSummary struct {
	modes                          map[string]int // restarts by shutdown mode (fast, immediate)
	requests, accepted, unanswered int

	errors, ended                map[string]int
	minDown, maxDown             time.Duration
	maxErrorsAfterUp, maxLastEnd time.Duration
	maxErrorSpan, maxGitAfter    time.Duration
}

func (s *pgSummary) add(r *pgRound) {
	if s.errors == nil {
		s.errors, s.ended, s.modes, s.minDown = map[string]int{}, map[string]int{}, map[string]int{}, r.down
	}
	s.requests += r.requests
	s.accepted += len(r.accepted)
	s.unanswered += len(r.unanswered)
	for k, v := range r.errors {
		s.errors[k] += v
	}
	for k, v := range r.ended {
		s.ended[k] += v
	}
	s.minDown, s.maxDown = min(s.minDown, r.down), max(s.maxDown, r.down)
	s.maxErrorsAfterUp, s.maxLastEnd = max(s.maxErrorsAfterUp, r.errorsAfterUp()), max(s.maxLastEnd, r.lastEndAfterUp)
	s.modes[r.mode]++
	s.maxErrorSpan = max(s.maxErrorSpan, slices.Max(r.errorSpans()))
}

func roundAll(ds []time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.Round(time.Millisecond)
	}
	return out
}
