// Package load drives a paved server over HTTP at a fixed rate with a mix
// of reads and deployments and reports latencies and errors (paved bench
// load; docs/reliability.md#bounded-load).
package load

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/examples"
)

// Config is one load run.
type Config struct {
	// Client talks to the server as an admin (the setup creates a team,
	// an app and environments).
	Client *api.Client
	// Rate is requests per second; Duration how long they are sent.
	Rate     int
	Duration time.Duration
	// DeployEvery: one request in DeployEvery is a deployment (the others
	// reads); 0 means 50.
	DeployEvery int
	// App is created if missing, with Envs development environments
	// (deployments go to them in turn); "load" and 4 by default.
	App  string
	Envs int
	// MaxInFlight bounds the requests open at once; a request that would
	// exceed it is not sent and counts as an error ("overloaded").
	// DefaultMaxInFlight when 0.
	MaxInFlight int
	// Progress, when set, gets a line every 10 s.
	Progress io.Writer
}

// DefaultMaxInFlight is MaxInFlight when it is not set.
const DefaultMaxInFlight = 512

// Kind is a kind of request.
type Kind string

// The kinds of requests sent.
const (
	ReadApp         Kind = "get app"
	ListEnvs        Kind = "list environments"
	ListDeployments Kind = "list deployments"
	GetDeployment   Kind = "get deployment"
	Deploy          Kind = "deploy"
)

var reads = []Kind{ReadApp, ListEnvs, ListDeployments, GetDeployment}

// Stats are the latencies of one kind of request.
type Stats struct {
	Kind     Kind          `json:"kind"`
	Requests int           `json:"requests"`
	Errors   int           `json:"errors"`
	P50      time.Duration `json:"p50"`
	P99      time.Duration `json:"p99"`
	Max      time.Duration `json:"max"`
}

// Report is a run's result.
type Report struct {
	Rate     int           `json:"rate"`
	Duration time.Duration `json:"duration"`
	// Sent is how many requests were sent; Overloaded how many were not,
	// for MaxInFlight.
	Sent       int     `json:"sent"`
	Overloaded int     `json:"overloaded"`
	Achieved   float64 `json:"achieved_rate"`
	All        Stats   `json:"all"`
	ByKind     []Stats `json:"by_kind"`
	// Deployments accepted, and how they ended (waited for after the
	// run); a failed or unfinished one is an error.
	Deployments       int `json:"deployments"`
	DeploymentsFailed int `json:"deployments_failed"`
	// Superseded deployments failed because another succeeded after they
	// were planned (the plan is stale) and a newer one took their place:
	// what the platform does with concurrent changes, not an error.
	Superseded  int      `json:"superseded"`
	FirstErrors []string `json:"first_errors,omitempty"`
	// Lag is how late the generator sent requests after they were due
	// (its own scheduling, on a busy machine): latencies are counted from
	// when a request was due, so they include it, and a generator that
	// falls behind cannot hide a slow server (coordinated omission).
	Lag Lag `json:"send_lag"`
}

// Lag is the lateness of the sends.
type Lag struct {
	P50 time.Duration `json:"p50"`
	P99 time.Duration `json:"p99"`
	Max time.Duration `json:"max"`
}

// Errors is every error of the run: failed and refused requests, requests
// not sent, deployments that did not succeed.
func (r *Report) Errors() int { return r.All.Errors + r.Overloaded + r.DeploymentsFailed }

type sample struct {
	kind Kind
	// took is from when the request was due to its answer; late from when
	// it was due to when it was sent.
	took, late time.Duration
	err        error
}

// Run sets up the app and drives the load, then waits for the deployments
// it started to end.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Rate <= 0 || cfg.Duration <= 0 {
		return nil, paved.Errorf(paved.EINVALID, "load: the rate and the duration must be positive")
	}
	if cfg.DeployEvery < 0 || cfg.Envs < 0 || cfg.MaxInFlight < 0 {
		return nil, paved.Errorf(paved.EINVALID, "load: deploy-every, envs and max-in-flight cannot be negative")
	}
	cfg.DeployEvery = cmp.Or(cfg.DeployEvery, 50)
	cfg.Envs = cmp.Or(cfg.Envs, 4)
	cfg.MaxInFlight = cmp.Or(cfg.MaxInFlight, DefaultMaxInFlight)
	cfg.App = cmp.Or(cfg.App, "load")
	c := cfg.Client
	envs, err := setup(ctx, c, cfg.App, cfg.Envs)
	if err != nil {
		return nil, err
	}
	// A first deployment in each environment gives the reads something
	// to read.
	var seedIDs []string
	for i, env := range envs {
		d, err := c.Deploy(ctx, &paved.DeployRequest{App: cfg.App, Env: env, Specs: specs(i)})
		if err != nil {
			return nil, fmt.Errorf("load: the first deployment to %s: %w", env, err)
		}
		seedIDs = append(seedIDs, d.ID)
	}
	if failed, _, err := waitAll(ctx, c, seedIDs, time.Minute); err != nil || len(failed) > 0 {
		return nil, fmt.Errorf("load: the first deployments: %w %v", err, failed)
	}

	var (
		mu        sync.Mutex
		samples   []sample
		deployIDs []string
		inFlight  atomic.Int64
		wg        sync.WaitGroup
		rep       = &Report{Rate: cfg.Rate, Duration: cfg.Duration}
		lastID    atomic.Value
		progress  = time.Now()
	)
	lastID.Store(seedIDs[0])
	interval := time.Second / time.Duration(cfg.Rate)
	start := time.Now()
	total := int(cfg.Duration / interval)
	for n := 0; n < total; n++ {
		// Open loop: request n is due at start + n·interval, whatever the
		// answers to the earlier ones.
		due := start.Add(time.Duration(n) * interval)
		if wait := time.Until(due); wait > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
		}
		if cfg.Progress != nil && time.Since(progress) >= 10*time.Second {
			progress = time.Now()
			fmt.Fprintf(cfg.Progress, "%v: %d requests sent, %d in flight\n", time.Since(start).Round(time.Second), n, inFlight.Load())
		}
		if inFlight.Load() >= int64(cfg.MaxInFlight) {
			rep.Overloaded++
			continue
		}
		kind := reads[n%len(reads)]
		if n%cfg.DeployEvery == cfg.DeployEvery-1 {
			kind = Deploy
		}
		rep.Sent++
		inFlight.Add(1)
		wg.Add(1)
		go func(n int, kind Kind, due time.Time) {
			defer wg.Done()
			defer inFlight.Add(-1)
			env := envs[(n/cfg.DeployEvery)%len(envs)]
			late := max(0, time.Since(due))
			var err error
			switch kind {
			case ReadApp:
				_, err = c.GetApp(ctx, cfg.App)
			case ListEnvs:
				_, err = c.ListEnvironments(ctx, cfg.App)
			case ListDeployments:
				_, err = c.ListDeployments(ctx, paved.DeploymentFilter{App: cfg.App, Env: env, Limit: 20})
			case GetDeployment:
				_, err = c.GetDeployment(ctx, lastID.Load().(string))
			case Deploy:
				var d *paved.Deployment
				if d, err = c.Deploy(ctx, &paved.DeployRequest{App: cfg.App, Env: env, Specs: specs(n)}); err == nil {
					lastID.Store(d.ID)
					mu.Lock()
					deployIDs = append(deployIDs, d.ID)
					mu.Unlock()
				}
			}
			took := time.Since(due)
			mu.Lock()
			samples = append(samples, sample{kind, took, late, err})
			mu.Unlock()
		}(n, kind, due)
	}
	wg.Wait()
	elapsed := time.Since(start)
	rep.Achieved = float64(rep.Sent) / elapsed.Seconds()
	rep.All = stats("all", samples)
	rep.Lag = lag(samples)
	for _, k := range append(slices.Clone(reads), Deploy) {
		var ks []sample
		for _, s := range samples {
			if s.kind == k {
				ks = append(ks, s)
			}
		}
		rep.ByKind = append(rep.ByKind, stats(k, ks))
	}
	for _, s := range samples {
		if s.err != nil && len(rep.FirstErrors) < 5 {
			rep.FirstErrors = append(rep.FirstErrors, string(s.kind)+": "+s.err.Error())
		}
	}
	rep.Deployments = len(deployIDs)
	failed, superseded, err := waitAll(ctx, c, deployIDs, 5*time.Minute)
	if err != nil {
		return rep, err
	}
	rep.DeploymentsFailed, rep.Superseded = len(failed), superseded
	for _, f := range failed {
		if len(rep.FirstErrors) < 10 {
			rep.FirstErrors = append(rep.FirstErrors, f)
		}
	}
	return rep, nil
}

// setup makes the app and its environments when they are missing.
func setup(ctx context.Context, c *api.Client, app string, n int) ([]string, error) {
	if _, err := c.GetApp(ctx, app); paved.ErrorCode(err) == paved.ENOTFOUND {
		if err := c.CreateTeam(ctx, &paved.Team{Name: app + "-team"}); err != nil && paved.ErrorCode(err) != paved.ECONFLICT {
			return nil, fmt.Errorf("load: creating the team: %w", err)
		}
		if err := c.CreateApp(ctx, &paved.App{Name: app, Team: app + "-team"}); err != nil {
			return nil, fmt.Errorf("load: creating the app: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	var envs []string
	for i := range n {
		env := fmt.Sprintf("load%d", i)
		if _, err := c.GetEnvironment(ctx, app, env); paved.ErrorCode(err) == paved.ENOTFOUND {
			if _, err := c.CreateEnvironment(ctx, &paved.EnvironmentRequest{App: app, Name: env, Type: paved.EnvDevelopment}); err != nil {
				return nil, fmt.Errorf("load: creating environment %s: %w", env, err)
			}
		} else if err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
		envs = append(envs, env)
	}
	return envs, nil
}

// specs are the shop's Score files with request n's image tags: every
// deployment changes something.
func specs(n int) map[string]string {
	m := map[string]string{}
	for _, f := range examples.Shop() {
		m[f.Name] = strings.ReplaceAll(string(f.Data), ":1.0.0", fmt.Sprintf(":1.%d.0", n))
	}
	return m
}

// waitAll waits for the deployments to end and returns those that did not
// succeed, each with why, and how many were superseded: failed as stale
// with a newer deployment in their place.
func waitAll(ctx context.Context, c *api.Client, ids []string, limit time.Duration) (failed []string, superseded int, err error) {
	deadline := time.Now().Add(limit)
	for _, id := range ids {
		for {
			d, err := c.GetDeployment(ctx, id)
			if err != nil {
				return nil, 0, fmt.Errorf("load: reading deployment %s: %w", id, err)
			}
			if d.Status == paved.DeploymentSucceeded {
				break
			}
			if d.Status == paved.DeploymentFailed {
				if strings.Contains(d.Error, "the plan is stale") {
					superseded++
				} else {
					failed = append(failed, fmt.Sprintf("deployment %s failed: %s", id, d.Error))
				}
				break
			}
			if time.Now().After(deadline) {
				failed = append(failed, fmt.Sprintf("deployment %s still %s after %v", id, d.Status, limit))
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return failed, superseded, nil
}

func stats(k Kind, ss []sample) Stats {
	st := Stats{Kind: k, Requests: len(ss)}
	if len(ss) == 0 {
		return st
	}
	d := make([]time.Duration, 0, len(ss))
	for _, s := range ss {
		d = append(d, s.took)
		if s.err != nil {
			st.Errors++
		}
	}
	st.P50, st.P99, st.Max = percentiles(d)
	return st
}

func lag(ss []sample) Lag {
	d := make([]time.Duration, 0, len(ss))
	for _, s := range ss {
		d = append(d, s.late)
	}
	var l Lag
	l.P50, l.P99, l.Max = percentiles(d)
	return l
}

// percentiles sorts d and returns its p50, p99 and largest; zeros when
// it is empty.
func percentiles(d []time.Duration) (p50, p99, max time.Duration) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	slices.Sort(d)
	return d[len(d)/2], d[min(len(d)-1, len(d)*99/100)], d[len(d)-1]
}
