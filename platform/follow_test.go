package platform

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"paved.dev/paved"
)

// TestFollowEvents: a follower gets every event of a deployment this
// server runs, in order and without a gap, pushed as they are written, and
// the deployment as it ended; streams are bounded per user.
func TestFollowEvents(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.MaxStreamsPerUser = 2 })
	slowDefinition(t, f, "0.3")
	d, err := f.p.Deploy(f.dev, &paved.DeployRequest{App: "shop", Env: "dev", Specs: shopSpecs()})
	must(t, err)
	var wg sync.WaitGroup
	got := make([][]paved.Event, 2)
	ends := make([]*paved.Deployment, 2)
	// What the store said of the deployment when "running on" reached
	// each follower: pushed as written, it arrives while it runs.
	seenWhile := make([]paved.DeploymentStatus, 2)
	for i := range 2 {
		wg.Go(func() {
			end, err := f.p.FollowEvents(f.dev, d.ID, 0, func(e paved.Event) error {
				got[i] = append(got[i], e)
				if strings.HasPrefix(e.Message, "running on") {
					if now, err := f.store.GetDeployment(context.Background(), d.ID); err == nil {
						seenWhile[i] = now.Status
					}
				}
				return nil
			})
			if err != nil {
				t.Error(err)
			}
			ends[i] = end
		})
	}
	// Both streams of dana are open while the deployment runs: a third is
	// refused.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		f.p.events.mu.Lock()
		n := f.p.events.streams["dana"]
		f.p.events.mu.Unlock()
		if n == 2 {
			break
		}
	}
	if _, err := f.p.FollowEvents(f.dev, d.ID, 0, func(paved.Event) error { return nil }); paved.ErrorCode(err) != paved.ETOOMANY {
		t.Errorf("a third stream of one user: %v", err)
	}
	wg.Wait()
	all, _ := f.store.Events(context.Background(), d.ID, 0)
	for i := range 2 {
		if ends[i] == nil || ends[i].Status != paved.DeploymentSucceeded {
			t.Fatalf("follower %d ended with %+v", i, ends[i])
		}
		if len(got[i]) != len(all) {
			t.Fatalf("follower %d got %d events, the log has %d", i, len(got[i]), len(all))
		}
		for j, e := range got[i] {
			if e.Seq != int64(j+1) {
				t.Fatalf("follower %d: event %d has seq %d", i, j, e.Seq)
			}
		}
		if seenWhile[i] != paved.DeploymentRunning {
			t.Errorf("follower %d got \"running on\" when the deployment was %q; want it pushed while running", i, seenWhile[i])
		}
		if !strings.HasPrefix(got[i][len(got[i])-1].Message, "succeeded in") {
			t.Errorf("follower %d's last event: %q", i, got[i][len(got[i])-1].Message)
		}
	}
	// Following a finished deployment from a seq returns the rest at once.
	var rest []paved.Event
	end, err := f.p.FollowEvents(f.dev, d.ID, int64(len(all)-2), func(e paved.Event) error { rest = append(rest, e); return nil })
	if err != nil || end.Status != paved.DeploymentSucceeded || len(rest) != 2 {
		t.Errorf("following a finished deployment: %d events, %v", len(rest), err)
	}
}
