package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"paved.dev/paved"
)

// keepAlive is how long an event stream may stay silent before the server
// sends a comment, so that proxies do not close an idle connection.
const keepAlive = 15 * time.Second

// maxStream bounds one event stream; writeTimeout bounds one flush.
const (
	maxStream    = 30 * time.Minute
	writeTimeout = 2 * keepAlive
)

// endEvent is the data of the "end" event: how the deployment finished.
type endEvent struct {
	ID     string                 `json:"id"`
	Status paved.DeploymentStatus `json:"status"`
	Error  string                 `json:"error,omitempty"`
}

// events answers GET /api/deployments/{id}/events: a JSON list, or with
// Accept: text/event-stream a stream that follows the deployment to its end.
func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	after, err := queryInt(r, "after")
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if !acceptsEventStream(r) {
		evs, err := s.svc.Deployments.Events(r.Context(), id, after)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, items(evs))
	}
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return paved.Errorf(paved.EINVALID, "Last-Event-ID: want an event's seq, got %q", v)
		}
		after = max(after, n)
	}
	return s.streamEvents(w, r, id, after)
}

func acceptsEventStream(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept"), ",") {
		if mt, _, err := mime.ParseMediaType(part); err == nil && mt == "text/event-stream" {
			return true
		}
	}
	return false
}

// streamEvents sends a deployment's events as they happen until it has
// finished and every event is out, the client goes away or the server
// closes. Events come from the service's publisher (Events); a server
// without one polls. Once the stream has started, errors travel as "error"
// events.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request, id string, after int64) error {
	ctx := r.Context()
	if s.svc.Events != nil {
		return s.pushEvents(w, r, id, after) // checks the deployment itself
	}
	d, err := s.svc.Deployments.GetDeployment(ctx, id)
	if err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	// A stream outlives the server's WriteTimeout, which is for requests;
	// each flush gets a deadline of its own instead, so that a client that
	// stops reading cannot hold the stream forever.
	_ = rc.SetWriteDeadline(time.Time{})
	// A stream ends after maxStream even if the deployment has not: the
	// client resumes with Last-Event-ID, and a wedged deployment cannot
	// keep followers polling for ever.
	ctx, cancel := context.WithTimeout(ctx, maxStream)
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	sse := &sseWriter{w: w, rc: rc, last: time.Now()}
	sse.printf("retry: %d\n\n", 1000)

	ticker := time.NewTicker(s.poll)
	defer ticker.Stop()
	for {
		// The status is read before the events, so that when it says
		// finished, the events fetched next are all there will be.
		done := d.Status.Finished()
		evs, err := s.svc.Deployments.Events(ctx, id, after)
		if err != nil {
			return s.streamError(r, sse, err)
		}
		for _, e := range evs {
			if e.Seq <= after {
				continue
			}
			sse.send(strconv.FormatInt(e.Seq, 10), "", e)
			after = e.Seq
		}
		if done {
			sse.send("", "end", endEvent{ID: d.ID, Status: d.Status, Error: d.Error})
		} else if time.Since(sse.last) >= s.keepAlive {
			sse.printf(": keep-alive\n\n")
		}
		if err := sse.flush(); err != nil || done {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil // client gone, or maxStream: it resumes
		case <-s.closing:
			return nil
		case <-ticker.C:
		}
		if d, err = s.svc.Deployments.GetDeployment(ctx, id); err != nil {
			return s.streamError(r, sse, err)
		}
	}
}

// pushEvents streams what the service's publisher sends. The stream starts
// before the first event, and keep-alive comments flow while the
// deployment is quiet.
func (s *Server) pushEvents(w http.ResponseWriter, r *http.Request, id string, after int64) error {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	ctx, cancel := context.WithTimeout(r.Context(), maxStream)
	defer cancel()
	go func() {
		select {
		case <-s.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	sse := &sseWriter{w: w, rc: rc, last: time.Now()}
	started := false
	start := func() {
		if started {
			return
		}
		started = true
		h := w.Header()
		h.Set("Content-Type", "text/event-stream")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Accel-Buffering", "no")
		w.WriteHeader(http.StatusOK)
		sse.printf("retry: %d\n\n", 1000)
		_ = sse.flush()
	}
	// The stream may refuse before it starts (too many streams): that is
	// a plain error response. Keep-alives start it otherwise; mu orders
	// their writes with the events'.
	var mu sync.Mutex
	stop := make(chan struct{})
	var keepAlives sync.WaitGroup
	keepAlives.Go(func() {
		t := time.NewTicker(s.keepAlive)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				mu.Lock()
				start()
				sse.printf(": keep-alive\n\n")
				err := sse.flush()
				mu.Unlock()
				if err != nil {
					cancel()
					return
				}
			}
		}
	})
	d, err := s.svc.Events.FollowEvents(ctx, id, after, func(e paved.Event) error {
		mu.Lock()
		defer mu.Unlock()
		start()
		sse.send(strconv.FormatInt(e.Seq, 10), "", e)
		return sse.flush()
	})
	// The keep-alives end before the last write, and before the handler
	// returns: nothing may write to w after that.
	close(stop)
	keepAlives.Wait()
	switch {
	case err != nil && !started:
		if ctx.Err() != nil {
			start()
			return nil // client gone, shutdown, or maxStream: it resumes
		}
		return err
	case err != nil:
		if ctx.Err() != nil {
			return nil
		}
		return s.streamError(r, sse, err)
	}
	start()
	if d.Status.Finished() {
		sse.send("", "end", endEvent{ID: d.ID, Status: d.Status, Error: d.Error})
	}
	_ = sse.flush()
	return nil
}

// streamError reports an error inside a started stream.
func (s *Server) streamError(r *http.Request, sse *sseWriter, err error) error {
	if r.Context().Err() != nil {
		return nil
	}
	code, msg := paved.ErrorCode(err), paved.ErrorMessage(err)
	if !knownCode(code) || code == paved.EINTERNAL {
		s.log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		code, msg = paved.EINTERNAL, "internal error"
	}
	sse.send("", "error", errorResponse{Error: errorBody{Code: code, Message: msg}})
	_ = sse.flush()
	return nil
}

// sseWriter writes Server-Sent Events and remembers the first write error:
// after it, the client is gone and everything else is a no-op.
type sseWriter struct {
	w    io.Writer
	rc   *http.ResponseController
	err  error
	last time.Time
}

func (s *sseWriter) printf(format string, args ...any) {
	if s.err == nil {
		s.deadline()
		_, s.err = fmt.Fprintf(s.w, format, args...)
		s.last = time.Now()
	}
}

// send writes one event; JSON has no newlines, so data is one line.
func (s *sseWriter) send(id, event string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(errorResponse{Error: errorBody{Code: paved.EINTERNAL, Message: "internal error"}})
		event = "error"
	}
	var sb strings.Builder
	if id != "" {
		sb.WriteString("id: " + id + "\n")
	}
	if event != "" {
		sb.WriteString("event: " + event + "\n")
	}
	sb.WriteString("data: ")
	sb.Write(b)
	sb.WriteString("\n\n")
	s.printf("%s", sb.String())
}

func (s *sseWriter) flush() error {
	if s.err == nil {
		s.deadline()
		s.err = s.rc.Flush()
	}
	return s.err
}

// deadline gives the next write writeTimeout to reach the client.
func (s *sseWriter) deadline() {
	if s.rc != nil {
		_ = s.rc.SetWriteDeadline(time.Now().Add(writeTimeout))
	}
}
