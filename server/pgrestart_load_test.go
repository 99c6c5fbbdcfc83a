package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

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
	mode string        // the shutdown: fast (SIGINT) or immediate (SIGQUIT)
	down time.Duration // from the shutdown's start to the server accepting connections again

	mu        sync.Mutex // guards what follows while the load runs
	restartAt time.Time  // the shutdown began
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
	case strings.Contains(msg, "paved server") && strings.Contains(msg, "did not answer in time"), strings.Contains(msg, "deadline exceeded"):
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
	stopLoad, noMoreDeploys := sync.OnceFunc(func() { close(stop) }), sync.OnceFunc(func() { close(noMore) })
	var wg sync.WaitGroup
	// However the round ends (a restart that fails the test ends it
	// here), the load stops and its goroutines are waited for.
	defer func() { noMoreDeploys(); stopLoad(); wg.Wait() }()
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
	noMoreDeploys()
	// Long enough after the database is back for the replicas to beat,
	// check for orphans and sweep their own stuck work three times (every
	// sixth of the orphan timeout).
	time.Sleep(time.Second)
	stopLoad()
	wg.Wait()
	r.checkRecorded(t, l, started, time.Now())
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
