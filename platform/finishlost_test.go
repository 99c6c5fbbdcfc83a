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
// its answer.
type answerLostStore struct {
	paved.Store
	lose atomic.Bool
}

func (s *answerLostStore) FinishDeployment(ctx context.Context, id, runner, lease string, st paved.DeploymentStatus, r *paved.DeploymentResult, at time.Time) error {
	err := s.Store.FinishDeployment(ctx, id, runner, lease, st, r, at)
	if err == nil && s.lose.CompareAndSwap(true, false) {
		return storeDown()
	}
	return err
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
// deployment back: finished by this server with this status, the result
// is its own. The deployment counts as a success (metrics, the
// environment's health), with no word of another server.
func TestResultRecordedThoughItsAnswerWasLost(t *testing.T) {
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
	d := f.deployToEnd(t, shopSpecs())
	if ls.lose.Load() {
		t.Fatal("no answer was lost: the test proves nothing")
	}
	if d.Status != paved.DeploymentSucceeded {
		t.Fatalf("deployment: %s %q", d.Status, d.Error)
	}
	obs.mu.Lock()
	finished := obs.finished[paved.DeploymentSucceeded]
	obs.mu.Unlock()
	if finished != 1 {
		t.Errorf("%d successes counted, want 1", finished)
	}
	env, err := f.store.GetEnvironment(context.Background(), "shop", "dev")
	must(t, err)
	if env.Health == nil || env.Health.Deployment != d.ID {
		t.Errorf("the environment's health is %+v, want the deployment's", env.Health)
	}
	if strings.Contains(log.String(), "another server") || strings.Contains(log.String(), "lease was lost") {
		t.Errorf("the log tells of another server:\n%s", log.String())
	}
	if !strings.Contains(log.String(), "recorded though the store's answer was lost") {
		t.Errorf("the log does not say the result was found recorded:\n%s", log.String())
	}
}
