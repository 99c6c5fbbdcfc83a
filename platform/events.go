package platform

import (
	"context"
	"sync"
	"time"

	"paved.dev/paved"
)

// event appends to a deployment's event log and tells its followers; the
// log is best effort and a failure to write it is logged.
func (p *Platform) event(id string, level paved.EventLevel, msg string) {
	e := &paved.Event{Time: p.now(), Level: level, Message: msg}
	if err := p.cfg.Store.AppendEvent(context.WithoutCancel(p.runCtx), id, e); err != nil {
		p.log.Error("writing a deployment event", "deployment", id, "err", err)
		return
	}
	p.events.publish(id, *e)
}

// hub pushes deployment events to their followers from one place in the
// process: events of deployments this server runs arrive as they are
// written; for deployments another server runs, one poller per deployment
// (not one per follower) reads the store for all of its followers.
type hub struct {
	p      *Platform
	mu     sync.Mutex
	topics map[string]*topic
	// streams counts open streams per user.
	streams map[string]int
	closed  bool
}

type topic struct {
	subs   map[*follower]struct{}
	polled bool
}

// follower is one stream: events arrive on ch (buffered); when it
// overflows, lagged is set and the follower reads the store once to catch
// up. done closes when the deployment finishes.
type follower struct {
	ch     chan paved.Event
	wake   chan struct{}
	lagged bool
	done   bool
}

// followBuffer is how many events a follower may be behind before it
// catches up from the store.
const followBuffer = 256

// pollEvery is how often the poller of another server's deployment reads
// the store.
const pollEvery = 250 * time.Millisecond

func newHub(p *Platform) *hub {
	return &hub{p: p, topics: map[string]*topic{}, streams: map[string]int{}}
}

func (h *hub) publish(id string, e paved.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	t := h.topics[id]
	if t == nil {
		return
	}
	for f := range t.subs {
		select {
		case f.ch <- e:
		default:
			f.lagged = true
		}
		wake(f)
	}
}

// finished tells a deployment's followers that it has ended.
func (h *hub) finished(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t := h.topics[id]; t != nil {
		for f := range t.subs {
			f.done = true
			wake(f)
		}
	}
}

func wake(f *follower) {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for _, t := range h.topics {
		for f := range t.subs {
			f.done = true
			wake(f)
		}
	}
}

// subscribe adds a follower of a deployment for user, within the per-user
// bound, and starts the topic's poller when the deployment is not this
// server's to run.
func (h *hub) subscribe(id, user string, local bool) (*follower, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, paved.Errorf(paved.EUNAVAILABLE, "the server is shutting down; follow the deployment on another server")
	}
	if h.streams[user] >= h.p.cfg.MaxStreamsPerUser {
		return nil, paved.Errorf(paved.ETOOMANY, "%s already follows %d event streams, the most one user may; close one first", user, h.streams[user])
	}
	h.streams[user]++
	t := h.topics[id]
	if t == nil {
		t = &topic{subs: map[*follower]struct{}{}}
		h.topics[id] = t
	}
	f := &follower{ch: make(chan paved.Event, followBuffer), wake: make(chan struct{}, 1)}
	t.subs[f] = struct{}{}
	if !local && !t.polled {
		t.polled = true
		h.p.wg.Add(1)
		go h.poll(id, t)
	}
	return f, nil
}

func (h *hub) unsubscribe(id, user string, f *follower) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.streams[user]--
	if h.streams[user] <= 0 {
		delete(h.streams, user)
	}
	if t := h.topics[id]; t != nil {
		delete(t.subs, f)
		if len(t.subs) == 0 {
			delete(h.topics, id)
		}
	}
}

// poll reads another server's deployment for all of its followers here,
// until it ends or nobody follows it.
func (h *hub) poll(id string, t *topic) {
	defer h.p.wg.Done()
	var after int64
	ctx := h.p.runCtx
	for {
		h.mu.Lock()
		// Only its own topic: once that one is gone, a new topic of the
		// same deployment gets a poller of its own.
		alive := h.topics[id] == t && len(t.subs) > 0 && !h.closed
		if !alive {
			t.polled = false
		}
		h.mu.Unlock()
		if !alive {
			return
		}
		status, err := h.p.cfg.Store.DeploymentStatus(ctx, id)
		if err == nil {
			evs, err := h.p.cfg.Store.Events(ctx, id, after)
			if err == nil {
				for _, e := range evs {
					h.publish(id, e)
					after = e.Seq
				}
				if status.Finished() {
					h.finished(id)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pollEvery):
		}
	}
}
