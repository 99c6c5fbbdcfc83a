package platform

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"paved.dev/paved"
)

// answerLostStore writes the next result and then answers that the store
// is unavailable, as a database that went away after its COMMIT and before
// its answer; the reads of a deployment after that fail too, readFails
// times, as while the database is still down.
type answerLostStore struct {
	paved.Store
	lose      atomic.Bool
	readFails atomic.Int32
	lost      atomic.Bool // an answer was lost: reads fail
}

func (s *answerLostStore) FinishDeployment(ctx context.Context, id, runner, lease string, st paved.DeploymentStatus, r *paved.DeploymentResult, at time.Time) error {
	err := s.Store.FinishDeployment(ctx, id, runner, lease, st, r, at)
	if err == nil && s.lose.CompareAndSwap(true, false) {
		s.lost.Store(true)
		return storeDown()
	}
	return err
}

func (s *answerLostStore) GetDeployment(ctx context.Context, id string) (*paved.Deployment, error) {
	if s.lost.Load() && s.readFails.Add(-1) >= 0 {
		return nil, storeDown()
	}
	return s.Store.GetDeployment(ctx, id)
}

// countingObserver counts the deployments finished, by status.
type countingObserver struct {
	paved.NopObserver
	mu       sync.Mutex
	finished map[paved.DeploymentStatus]int
}

func (o *countingObserver) DeploymentFinished(_ paved.DeploymentKind, _ paved.EnvType, st paved.DeploymentStatus, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.finished[st]++
}

// syncBuffer is a log that the runner writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestResultRecordedThoughItsAnswerWasLost: the store writes a
// deployment's success, then its answer is lost; the runner tries again
// and meets a conflict (the deployment is no longer running). It reads the
// deployment back (tried again while the store is unavailable): finished
// by this server with this status, the result is its own. The deployment
// counts as a success (metrics, the environment's health), with no word of
// another server. When the store stays down for every read, the runner
// says it could not read it back, and never that another server finished
// it.
func TestResultRecordedThoughItsAnswerWasLost(t *testing.T) {
	for _, tc := range []struct {
		name      string
		readFails int32
		readBack  bool // the read back succeeds
	}{
		{"read back at once", 0, true},
		{"read back once the store is back", 1, true},
		{"the store down for every read back", storeAttempts, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := &answerLostStore{}
			obs := &countingObserver{finished: map[paved.DeploymentStatus]int{}}
			log := &syncBuffer{}
			f := newFixture(t, func(c *Config) {
				ls.Store = c.Store
				c.Store = ls
				c.Observer = obs
				c.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelInfo}))
			})
			ls.lose.Store(true)
			ls.readFails.Store(tc.readFails)
			d := f.deployToEnd(t, shopSpecs())
			if ls.lose.Load() || ls.readFails.Load() > 0 {
				t.Fatal("no answer was lost, or the reads never failed: the test proves nothing")
			}
			if d.Status != paved.DeploymentSucceeded {
				t.Fatalf("deployment: %s %q", d.Status, d.Error)
			}
			if strings.Contains(log.String(), "another server") || strings.Contains(log.String(), "lease was lost") {
				t.Errorf("the log tells of another server:\n%s", log.String())
			}
			obs.mu.Lock()
			finished := obs.finished[paved.DeploymentSucceeded]
			obs.mu.Unlock()
			if !tc.readBack {
				if finished != 0 {
					t.Errorf("%d successes counted, though the runner could not tell its result was recorded", finished)
				}
				if !strings.Contains(log.String(), "reading it back failed") {
					t.Errorf("the log does not say the deployment could not be read back:\n%s", log.String())
				}
				return
			}
			if finished != 1 {
				t.Errorf("%d successes counted, want 1", finished)
			}
			env, err := f.store.GetEnvironment(context.Background(), "shop", "dev")
			must(t, err)
			if env.Health == nil || env.Health.Deployment != d.ID {
				t.Errorf("the environment's health is %+v, want the deployment's", env.Health)
			}
			if !strings.Contains(log.String(), "recorded though the store's answer was lost") {
				t.Errorf("the log does not say the result was found recorded:\n%s", log.String())
			}
		})
	}
}
