package platform

import (
	"context"
	"slices"
	"sync"
	"time"

	"paved.dev/paved"
)

// missedFailures remembers, for each reason the sweeps fail deployments
// with (orphanReason, stuckReason), since when a sweep that failed
// deployments for it met an error. Such a sweep may have failed them all
// the same (the store's answer lost after the change: it may have been
// done), and then nothing told their followers, wrote their event or
// brought their environments back: the next sweep that succeeds does
// (recoverMissed).
type missedFailures struct {
	mu    sync.Mutex
	since map[string]time.Time
}

// note records that a sweep failing deployments for reason, begun at
// since, met an error; the earliest such time is kept.
func (m *missedFailures) note(reason string, since time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.since == nil {
		m.since = map[string]time.Time{}
	}
	if old, ok := m.since[reason]; !ok || since.Before(old) {
		m.since[reason] = since
	}
}

// pending says since when deployments failed for reason may have been
// missed.
func (m *missedFailures) pending(reason string) (time.Time, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.since[reason]
	return t, ok
}

// done forgets reason's missed failures up to since (a later note stays).
func (m *missedFailures) done(reason string, since time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.since[reason]; ok && !t.After(since) {
		delete(m.since, reason)
	}
}

// recoverMissed, after a sweep for reason that met an error, finds the
// deployments failed with reason since then whose environment has had no
// deployment after them, and does what that sweep would have: tells their
// followers, writes their event (unless it is there) and brings their
// environments back to their last successful deployment. Bringing back is
// idempotent, so a deployment another server failed, and brought back,
// meanwhile costs an apply of what the target holds.
func (p *Platform) recoverMissed(ctx context.Context, reason string) error {
	since, ok := p.missed.pending(reason)
	if !ok {
		return nil
	}
	// The failures are stamped with the sweep's clock, read before it.
	after := since.Add(-time.Second)
	ds, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{Statuses: []paved.DeploymentStatus{paved.DeploymentFailed},
		FinishedAfter: &after, Limit: -1})
	if err != nil {
		return err
	}
	var missed []paved.Deployment
	for _, d := range ds {
		if d.Error != reason {
			continue
		}
		latest, err := p.cfg.Store.ListDeployments(ctx, paved.DeploymentFilter{App: d.App, Env: d.Env, Limit: 1})
		if err != nil {
			return err
		}
		if len(latest) == 0 || latest[0].ID != d.ID {
			continue // a later deployment applies, and prunes, itself
		}
		evs, err := p.cfg.Store.Events(ctx, d.ID, 0)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(evs, func(e paved.Event) bool { return e.Message == "failed: "+reason }) {
			p.event(d.ID, paved.EventError, "failed: "+reason)
		}
		p.log.Warn("a deployment was failed by a sweep whose store answer was lost; bringing its environment back", "deployment", d.ID, "reason", reason)
		p.events.finished(d.ID)
		missed = append(missed, d)
	}
	// Noted as done only once every environment is back: with a store
	// that comes and goes, the next sweep tries again.
	if err := p.reconcileAfter(ctx, missed); err != nil {
		return err
	}
	p.missed.done(reason, since)
	return nil
}
