package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/target/gitops"
)

// TestPostgresRestartUnderLoad restarts the PostgreSQL server under two
// replicas while deployments and reads go through both: once with
// pg_ctl restart -m fast (sessions cut, a clean shutdown) and once with
// -m immediate (a crash of the database server, recovered from its WAL).
// It runs on a private PostgreSQL server (startPrivatePostgres), never the
// shared one. For each restart:
//
//   - the servers keep serving, and every request either succeeded or was
//     answered 503 with a message that names the database (never a 500
//     "internal error", never a hang, never a dropped connection);
//   - every deployment answered 202 is recorded and ends, within the
//     orphan timeout: none is left queued or running;
//   - none is half-written: a success has its start and finish times, its
//     inventory, revision and rollout, and its environment the resources
//     its plan named; a failure its finish time and a reason;
//   - the Git remote holds each environment's last success's objects (at
//     once, or once the environment is brought back, within 15 s);
//   - and deployments through each replica succeed afterwards.
//
// test/pg-restart.sh N runs N restarts (PAVED_PG_RESTARTS), alternating
// fast and immediate; PAVED_PG_DOWN=3s keeps the database stopped that
// long in each (pg_ctl stop, then start), longer than the replicas' orphan
// timeout (2 s) and lease (3 s).
func TestPostgresRestartUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes and a PostgreSQL server")
	}
	began := time.Now()
	pg := startPrivatePostgres(t)
	t.Logf("a private PostgreSQL server on 127.0.0.1:%d, started in %v", pg.port, time.Since(began).Round(time.Millisecond))
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
		gitAfter := gitConverges(t, clients[round%2], remote, envs, name)
		sum.maxGitAfter = max(sum.maxGitAfter, gitAfter)
		if gitAfter > 0 {
			t.Logf("%s: the Git remote held each environment's last success %v after the deployments ended", name, gitAfter.Round(time.Millisecond))
		}
		l.deploySucceeds(t, "after "+name)
		if t.Failed() {
			return
		}
	}
	t.Logf("%d restarts (%v): %d requests, errors %v; deployments %d accepted, %d recorded though answered an error, ended: %v; database down %v–%v; errors seen for at most %v, ending at most %v after it was back; the last of a round ended at most %v after it was back; the Git remote held the last successes at most %v after they ended (0: at the first look)",
		len(modes), sum.modes, sum.requests, sum.errors, sum.accepted, sum.unanswered, sum.ended, sum.minDown.Round(time.Millisecond), sum.maxDown.Round(time.Millisecond),
		sum.maxErrorSpan, sum.maxErrorsAfterUp.Round(time.Millisecond), sum.maxLastEnd.Round(time.Millisecond), sum.maxGitAfter.Round(time.Millisecond))
}

// pgLoad drives the replicas: per replica and environment a deployer that
// deploys and follows its deployment to its end, then deploys again; per
// replica a reader of the app, its environments and its deployments.
type pgLoad struct {
	clients []*api.Client
	envs    []string
	seq     atomic.Int64  // the image tag of the next deployment
	down    time.Duration // how long the database stays stopped in a restart
}

// pgRound is what one restart under load gave.
type pgRound struct {
	mode string        // pg_ctl's -m
	down time.Duration // from pg_ctl's start to the server accepting connections again

	mu        sync.Mutex // guards what follows while the load runs
	restartAt time.Time  // pg_ctl began
	upAt      time.Time  // the database accepted connections again
	requests  int
	errors    map[string]int      // by kind (pgErrorKind)
	byKind    map[string][]string // a few messages of each kind, for the log
	// firstError and lastError are, per replica, when the first failed
	// request was sent and the last one answered; lastErrorAfterUp how
	// long after the database was back the last one was answered (0: none
	// after).
	firstError, lastError []time.Time
	lastErrorAfterUp      []time.Duration
	accepted              []string                          // deployments answered 202
	unanswered            []string                          // recorded, but neither answered 202 nor a replacement
	statuses              map[string]paved.DeploymentStatus // their last status seen by the load
	violations            []string                          // what broke an invariant

	// After the load:
	ended          map[string]int // the round's deployments by how they ended
	lastEndAfterUp time.Duration  // from the database being back to the last of them ending
}

func (r *pgRound) errorsAfterUp() time.Duration { return slices.Max(r.lastErrorAfterUp) }

// errorSpans are, per replica, how long its clients saw errors: from the
// first failed request's sending to the last one's answer.
func (r *pgRound) errorSpans() []time.Duration {
	out := make([]time.Duration, len(r.firstError))
	for i := range out {
		out[i] = r.lastError[i].Sub(r.firstError[i]).Round(time.Millisecond)
	}
	return out
}

// request records one request's outcome.
func (r *pgRound) request(replica int, what string, start time.Time, err error) {
	end := time.Now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.requests++
	if err == nil {
		return
	}
	kind, ok := pgErrorKind(err)
	r.errors[kind]++
	if len(r.byKind[kind]) < 3 {
		r.byKind[kind] = append(r.byKind[kind], fmt.Sprintf("%s through replica %d: %v", what, replica, err))
	}
	if !ok {
		r.violations = append(r.violations, fmt.Sprintf("%s through replica %d, sent %v after the restart began: %s (%s): %v",
			what, replica, start.Sub(r.restartAt).Round(time.Millisecond), kind, paved.ErrorCode(err), err))
	}
	if r.firstError[replica].IsZero() {
		r.firstError[replica] = start
	}
	if end.After(r.lastError[replica]) {
		r.lastError[replica] = end
	}
	if !r.upAt.IsZero() && end.After(r.upAt) {
		r.lastErrorAfterUp[replica] = max(r.lastErrorAfterUp[replica], end.Sub(r.upAt))
	}
}

// pgErrorKind sorts a request's error, and says whether it is one the
// platform may answer while its database restarts: a 503 that names the
// database. The rest are failures of the test: a 500 "internal error"
// tells the caller nothing; a server that cannot be reached has died; a
// request that did not end in time hangs.
func pgErrorKind(err error) (string, bool) {
	msg := err.Error()
	switch code := paved.ErrorCode(err); {
	case strings.Contains(msg, "cannot reach the paved server"):
		return "server unreachable", false
	case strings.Contains(msg, "did not answer in time"), strings.Contains(msg, "deadline exceeded"):
		return "no answer in time", false
	case code == paved.EUNAVAILABLE && (strings.Contains(msg, "database") || strings.Contains(msg, "postgres")):
		return "503 naming the database", true
	case code == paved.EINTERNAL:
		return "500 internal error", false
	default:
		return fmt.Sprintf("%d %s", api.StatusCode(code), code), false
	}
}

// round puts the replicas under load, restarts the database in the middle
// and checks, once the load has stopped, what the replicas recorded.
func (l *pgLoad) round(t *testing.T, pg *privatePostgres, mode string) *pgRound {
	t.Helper()
	r := &pgRound{mode: mode, errors: map[string]int{}, byKind: map[string][]string{}, ended: map[string]int{},
		statuses: map[string]paved.DeploymentStatus{}, lastErrorAfterUp: make([]time.Duration, len(l.clients)),
		firstError: make([]time.Time, len(l.clients)), lastError: make([]time.Time, len(l.clients))}
	started := time.Now()
	// Deployments are sent until the database is back, and followed until
	// the load stops: the last deployment of each environment is one that
	// met the restart, so what the restart left is what is checked.
	stop, noMore := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	for i, c := range l.clients {
		for _, e := range l.envs {
			wg.Go(func() { l.deployer(r, i, c, e, noMore, stop) })
		}
		wg.Go(func() { l.reader(r, i, c, stop) })
	}
	time.Sleep(time.Second)
	r.mu.Lock()
	r.restartAt = time.Now()
	r.mu.Unlock()
	pg.restart(t, mode, l.down)
	r.mu.Lock()
	r.upAt = time.Now()
	r.down = r.upAt.Sub(r.restartAt)
	r.mu.Unlock()
	close(noMore)
	// Long enough after the database is back for the replicas to beat,
	// check for orphans and sweep their own stuck work three times (every
	// sixth of the orphan timeout).
	time.Sleep(time.Second)
	close(stop)
	wg.Wait()
	stopped := time.Now()

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
			return r
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
		if full.Status == paved.DeploymentSucceeded {
			r.violations = append(r.violations, resourcesOfPlan(t, c, full)...)
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
	return r
}

// deployer deploys to one environment through one replica, follows each
// deployment until it ends, and deploys again, until noMore; it follows
// the last one until it ends or stop.
func (l *pgLoad) deployer(r *pgRound, replica int, c *api.Client, env string, noMore, stop chan struct{}) {
	closed := func(ch chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	for !closed(noMore) {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		d, err := c.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: env, Specs: chaosSpecs(int(l.seq.Add(1)))})
		cancel()
		r.request(replica, "deploy to "+env, start, err)
		if err != nil {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		r.mu.Lock()
		r.accepted = append(r.accepted, d.ID)
		r.mu.Unlock()
		for !closed(stop) {
			start := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			got, err := c.GetDeployment(ctx, d.ID)
			cancel()
			r.request(replica, "get deployment "+d.ID, start, err)
			if err == nil {
				r.mu.Lock()
				r.statuses[d.ID] = got.Status
				r.mu.Unlock()
				if got.Status.Finished() {
					break
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}

// reader reads the app, its environments and its deployments through one
// replica, until stop.
func (l *pgLoad) reader(r *pgRound, replica int, c *api.Client, stop chan struct{}) {
	reads := []struct {
		what string
		do   func(ctx context.Context) error
	}{
		{"get app", func(ctx context.Context) error { _, err := c.GetApp(ctx, "shop"); return err }},
		{"list environments", func(ctx context.Context) error { _, err := c.ListEnvironments(ctx, "shop"); return err }},
		{"list deployments", func(ctx context.Context) error {
			_, err := c.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Limit: 20})
			return err
		}},
		{"list resources", func(ctx context.Context) error { _, err := c.ListResources(ctx, "shop", l.envs[0]); return err }},
	}
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-time.After(25 * time.Millisecond):
		}
		read := reads[i%len(reads)]
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := read.do(ctx)
		cancel()
		r.request(replica, read.what, start, err)
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

// resourcesOfPlan: a successful deployment's environment holds every
// resource its plan provisions.
func resourcesOfPlan(t *testing.T, c *api.Client, d *paved.Deployment) []string {
	t.Helper()
	rs, err := c.ListResources(context.Background(), d.App, d.Env)
	must(t, err)
	have := map[paved.ResourceUID]bool{}
	for _, r := range rs {
		have[r.UID] = true
	}
	var problems []string
	for _, r := range d.Plan.Resources {
		if r.Action != paved.PlanOrphan && !have[r.UID] {
			problems = append(problems, fmt.Sprintf("deployment %s succeeded but its environment %s has no resource %s", d.ID, d.Env, r.UID))
		}
	}
	if d.Plan == nil || len(d.Plan.Resources) == 0 {
		problems = append(problems, fmt.Sprintf("deployment %s succeeded without a plan of resources", d.ID))
	}
	return problems
}

// deploySucceeds deploys to each environment at once, each through another
// replica, and requires success.
func (l *pgLoad) deploySucceeds(t *testing.T, when string) {
	t.Helper()
	var wg sync.WaitGroup
	for i, e := range l.envs {
		replica := (i + int(l.seq.Load())) % len(l.clients)
		c := l.clients[replica]
		wg.Go(func() {
			ctx := context.Background()
			d, err := c.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: e, Specs: chaosSpecs(int(l.seq.Add(1)))})
			for deadline := time.Now().Add(time.Minute); err == nil && !d.Status.Finished(); time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					err = fmt.Errorf("deployment %s did not end in a minute", d.ID)
					break
				}
				d, err = c.GetDeployment(ctx, d.ID)
			}
			switch {
			case err != nil:
				t.Errorf("%s: deploying to %s through replica %d: %v", when, e, replica, err)
			case d.Status != paved.DeploymentSucceeded:
				t.Errorf("%s: deployment %s to %s through replica %d %s: %s", when, d.ID, e, replica, d.Status, d.Error)
			}
		})
	}
	wg.Wait()
}

// gitConverges waits until the remote holds, for each environment, the
// objects of its last successful deployment, with the api Deployment
// running that deployment's image, and returns how long that took. A
// deployment failed part way (by its runner, the sweep or the orphan
// check) is ended first and its environment brought back after, so the
// remote may lag the store for a moment; a mismatch that lasts 15 s fails
// the test. It returns 0 when the first look found the remote right.
func gitConverges(t *testing.T, c *api.Client, remote string, envs []string, when string) time.Duration {
	t.Helper()
	start := time.Now()
	for look := 1; ; look++ {
		mismatches := gitMismatches(t, c, remote, envs)
		switch {
		case len(mismatches) == 0 && look == 1:
			return 0
		case len(mismatches) == 0:
			return time.Since(start)
		}
		if time.Since(start) > 15*time.Second {
			for _, m := range mismatches {
				t.Errorf("%s, %v after the deployments ended: %s", when, time.Since(start).Round(time.Millisecond), m)
			}
			return time.Since(start)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// gitMismatches says where a fresh clone of the remote differs from each
// environment's last successful deployment.
func gitMismatches(t *testing.T, c *api.Client, remote string, envs []string) []string {
	t.Helper()
	ctx := context.Background()
	clone := t.TempDir()
	_, err := git.PlainClone(clone, false, &git.CloneOptions{URL: remote, ReferenceName: plumbing.NewBranchReferenceName("main")})
	must(t, err)
	g, err := gitops.New(gitops.Config{Path: clone})
	must(t, err)
	var out []string
	for _, e := range envs {
		ok, err := c.ListDeployments(ctx, paved.DeploymentFilter{App: "shop", Env: e, Statuses: []paved.DeploymentStatus{paved.DeploymentSucceeded}, Limit: 1000})
		must(t, err)
		if len(ok) == 0 {
			t.Fatalf("%s has no successful deployment", e)
		}
		last := slices.MaxFunc(ok, func(a, b paved.Deployment) int { return a.FinishedAt.Compare(*b.FinishedAt) })
		full, err := c.GetDeployment(ctx, last.ID)
		must(t, err)
		inv, err := g.Inventory(paved.DeployContext{App: "shop", Env: e, EnvType: paved.EnvDevelopment, Namespace: "shop-" + e})
		must(t, err)
		if got, want := refStrings(inv), refStrings(full.Inventory); !slices.Equal(got, want) {
			out = append(out, fmt.Sprintf("the Git remote's %s holds %v,\nits last successful deployment (%s) %v", e, got, full.ID, want))
		}
		b, err := os.ReadFile(filepath.Join(clone, e, "shop", "deployment-api.yaml"))
		if want := "shop-api:1.0." + imageRun(full); err != nil || !strings.Contains(string(b), want) {
			out = append(out, fmt.Sprintf("the Git remote's %s api Deployment does not run %s, the last success's (%s) image: %v", e, want, full.ID, err))
		}
	}
	return out
}

// pgSummary adds up the rounds.
type pgSummary struct {
	modes                          map[string]int // restarts by pg_ctl's -m
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
