package api

import (
	"bufio"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"paved.dev/paved"
)

// streamPaths are the two ways the server streams events: polling the
// service, and pushing what its EventFollower sends, as production does.
var streamPaths = []struct {
	name    string
	harness func(testing.TB) *harness
}{
	{"poll", func(t testing.TB) *harness { return newHarness(t, nil) }},
	{"push", newPushHarness},
}

// forEachStreamPath runs test once for each stream path, with a harness
// constructor for it.
func forEachStreamPath(t *testing.T, test func(t *testing.T, newH func(testing.TB) *harness)) {
	for _, p := range streamPaths {
		t.Run(p.name, func(t *testing.T) { test(t, p.harness) })
	}
}

// runDeployment adds a running deployment and writes n events to its log,
// one every step, then marks it succeeded.
func runDeployment(h *harness, id string, n int, step time.Duration) {
	h.fake.mu.Lock()
	h.fake.deployments[id] = &paved.Deployment{ID: id, App: "shop", Env: "dev", Status: paved.DeploymentRunning, CreatedAt: t0}
	h.fake.mu.Unlock()
	go func() {
		for i := 1; i <= n; i++ {
			time.Sleep(step)
			h.fake.appendEvent(id, "step "+string(rune('0'+i)))
		}
		h.fake.setStatus(id, paved.DeploymentSucceeded)
	}()
}

func seqs(evs []paved.Event) []int64 {
	var s []int64
	for _, e := range evs {
		s = append(s, e.Seq)
	}
	return s
}

func TestStreamEvents(t *testing.T) {
	forEachStreamPath(t, func(t *testing.T, newH func(testing.TB) *harness) {
		tests := []struct {
			name  string
			after int64
			want  []int64
		}{
			{"from the start", 0, []int64{1, 2, 3, 4, 5}},
			{"after 2", 2, []int64{3, 4, 5}},
			{"after the last", 5, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				h := newH(t)
				runDeployment(h, "d9", 5, 15*time.Millisecond)
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				var got []paved.Event
				err := h.dev.StreamEvents(ctx, "d9", tt.after, func(e paved.Event) error {
					got = append(got, e)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(seqs(got), tt.want) {
					t.Errorf("got seqs %v, want %v", seqs(got), tt.want)
				}
				if len(got) > 0 && got[0].Message != "step "+string(rune('0'+tt.want[0])) {
					t.Errorf("first event %+v", got[0])
				}
			})
		}
	})
}

// readStream reads an SSE response into its events as field maps.
func readStream(t *testing.T, resp *http.Response) []map[string]string {
	t.Helper()
	var (
		out []map[string]string
		cur = map[string]string{}
	)
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = map[string]string{}
			continue
		}
		k, v, _ := strings.Cut(line, ": ")
		cur[k] = v
	}
	return out
}

func TestStreamWire(t *testing.T) {
	forEachStreamPath(t, func(t *testing.T, newH func(testing.TB) *harness) {
		h := newH(t)
		tests := []struct {
			name       string
			header     []string
			wantIDs    []string
			wantEnd    string
			wantStatus int
		}{
			{"whole log", nil, []string{"1", "2", "3"}, `{"id":"d1","status":"succeeded"}`, 200},
			{"Last-Event-ID resumes", []string{"Last-Event-ID", "2"}, []string{"3"}, `{"id":"d1","status":"succeeded"}`, 200},
			{"Last-Event-ID past the end", []string{"Last-Event-ID", "3"}, nil, `{"id":"d1","status":"succeeded"}`, 200},
			{"Accept with several types", []string{"Accept", "application/json;q=0.5, text/event-stream"}, []string{"1", "2", "3"}, `{"id":"d1","status":"succeeded"}`, 200},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req, _ := http.NewRequest("GET", h.srv.URL+"/api/deployments/d1/events", nil)
				req.Header.Set("Authorization", "Bearer admin-token")
				req.Header.Set("Accept", "text/event-stream")
				for i := 0; i+1 < len(tt.header); i += 2 {
					req.Header.Set(tt.header[i], tt.header[i+1])
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if resp.StatusCode != tt.wantStatus || resp.Header.Get("Content-Type") != "text/event-stream" {
					t.Fatalf("status %d, content type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
				}
				events := readStream(t, resp)
				var ids []string
				for _, e := range events {
					if e["id"] != "" {
						ids = append(ids, e["id"])
					}
				}
				if !slices.Equal(ids, tt.wantIDs) {
					t.Errorf("ids %v, want %v", ids, tt.wantIDs)
				}
				last := events[len(events)-1]
				if last["event"] != "end" || last["data"] != tt.wantEnd {
					t.Errorf("last event %v, want end with %s", last, tt.wantEnd)
				}
			})
		}

		t.Run("unknown deployment is a JSON 404", func(t *testing.T) {
			status, _, body := h.raw(t, "GET", "/api/deployments/nope/events", "admin-token", "", "Accept", "text/event-stream")
			if status != 404 || errorOf(t, body).Code != paved.ENOTFOUND {
				t.Errorf("got %d %s", status, body)
			}
		})
		t.Run("bad Last-Event-ID", func(t *testing.T) {
			status, _, body := h.raw(t, "GET", "/api/deployments/d1/events", "admin-token", "", "Accept", "text/event-stream", "Last-Event-ID", "x")
			if status != 400 || errorOf(t, body).Message != `Last-Event-ID: want an event's seq, got "x"` {
				t.Errorf("got %d %s", status, body)
			}
		})
		t.Run("without Accept it is a JSON list", func(t *testing.T) {
			status, _, body := h.raw(t, "GET", "/api/deployments/d1/events?after=2", "admin-token", "")
			if status != 200 || !strings.HasPrefix(body, `{"items":[{"seq":3,`) {
				t.Errorf("got %d %s", status, body)
			}
		})
	})
}

func TestStreamErrors(t *testing.T) {
	forEachStreamPath(t, func(t *testing.T, newH func(testing.TB) *harness) {
		ctx := context.Background()
		t.Run("an error inside the stream reaches the client with its code", func(t *testing.T) {
			h := newH(t)
			runDeployment(h, "d9", 5, 20*time.Millisecond)
			var got []int64
			err := h.admin.StreamEvents(ctx, "d9", 0, func(e paved.Event) error {
				got = append(got, e.Seq)
				if e.Seq == 2 {
					h.fake.setFail("Events", paved.Errorf(paved.EFORBIDDEN, "no longer allowed"))
				}
				return nil
			})
			if paved.ErrorCode(err) != paved.EFORBIDDEN || paved.ErrorMessage(err) != "no longer allowed" {
				t.Errorf("got %v", err)
			}
			if !slices.Equal(got, []int64{1, 2}) {
				t.Errorf("got %v", got)
			}
		})
		t.Run("an internal error inside the stream is logged and hidden", func(t *testing.T) {
			h := newH(t)
			runDeployment(h, "d9", 3, 20*time.Millisecond)
			h.fake.setFail("Events", errors.New("disk on fire"))
			err := h.admin.StreamEvents(ctx, "d9", 0, func(e paved.Event) error { return nil })
			if paved.ErrorCode(err) != paved.EINTERNAL || paved.ErrorMessage(err) != "internal error" {
				t.Errorf("got %v", err)
			}
			if !strings.Contains(h.logs.String(), "disk on fire") {
				t.Error("internal error not logged")
			}
		})
		t.Run("fn's error ends the stream", func(t *testing.T) {
			h := newH(t)
			stop := errors.New("stop")
			err := h.admin.StreamEvents(ctx, "d1", 0, func(e paved.Event) error { return stop })
			if err != stop {
				t.Errorf("got %v, want fn's error", err)
			}
		})
		t.Run("unknown deployment", func(t *testing.T) {
			h := newH(t)
			err := h.admin.StreamEvents(ctx, "nope", 0, func(e paved.Event) error { return nil })
			if paved.ErrorCode(err) != paved.ENOTFOUND {
				t.Errorf("got %v", err)
			}
		})
		t.Run("no token", func(t *testing.T) {
			h := newH(t)
			err := NewClient(h.srv.URL, "").StreamEvents(ctx, "d1", 0, func(e paved.Event) error { return nil })
			if paved.ErrorCode(err) != paved.EUNAUTHORIZED {
				t.Errorf("got %v", err)
			}
		})
	})
}

// TestStreamClientGoesAway checks that the server stops streaming (and
// polling) when the client leaves.
func TestStreamClientGoesAway(t *testing.T) {
	forEachStreamPath(t, func(t *testing.T, newH func(testing.TB) *harness) {
		h := newH(t)
		h.fake.mu.Lock()
		h.fake.deployments["forever"] = &paved.Deployment{ID: "forever", Status: paved.DeploymentRunning}
		h.fake.mu.Unlock()
		h.fake.appendEvent("forever", "started")

		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() {
			errc <- h.admin.StreamEvents(ctx, "forever", 0, func(e paved.Event) error { cancel(); return nil })
		}()
		select {
		case err := <-errc:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("got %v, want context.Canceled", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("StreamEvents did not return after its context was cancelled")
		}
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(h.logs.String(), "path=/api/deployments/forever/events status=200") {
			if time.Now().After(deadline) {
				t.Fatalf("the server's stream did not end:\n%s", h.logs)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// TestStreamResumes closes the server's streams while a deployment runs:
// the client reconnects with Last-Event-ID and sees every event once.
func TestStreamResumes(t *testing.T) {
	forEachStreamPath(t, func(t *testing.T, newH func(testing.TB) *harness) {
		h := newH(t)
		runDeployment(h, "d9", 8, 15*time.Millisecond)
		c := NewClient(h.srv.URL, "admin-token", WithStreamRetry(100, 5*time.Millisecond))
		var got []int64
		err := c.StreamEvents(context.Background(), "d9", 0, func(e paved.Event) error {
			got = append(got, e.Seq)
			if e.Seq == 3 {
				h.server.Close() // every stream from now on ends after one poll
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{1, 2, 3, 4, 5, 6, 7, 8}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		if n := strings.Count(h.logs.String(), "path=/api/deployments/d9/events status=200"); n < 2 {
			t.Errorf("%d stream requests, want a reconnection", n)
		}
	})
}

// lateWriter is a ResponseWriter that counts what is written to it after
// the handler returned.
type lateWriter struct {
	mu     sync.Mutex
	header http.Header
	done   bool
	late   int
}

func (w *lateWriter) Header() http.Header { return w.header }

func (w *lateWriter) WriteHeader(int) { w.wrote() }

func (w *lateWriter) Write(b []byte) (int, error) {
	w.wrote()
	return len(b), nil
}

func (w *lateWriter) Flush() { w.wrote() }

func (w *lateWriter) wrote() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		w.late++
	}
}

func (w *lateWriter) returned() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.done = true
}

func (w *lateWriter) lateWrites() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.late
}

// TestPushKeepAlivesEndWithTheStream: the keep-alive comments of a pushed
// stream stop before the handler returns; none is written after.
func TestPushKeepAlivesEndWithTheStream(t *testing.T) {
	h := newPushHarness(t)
	h.server.keepAlive = 20 * time.Microsecond // keep-alives all the time
	for i := range 300 {
		w := &lateWriter{header: http.Header{}}
		req := httptest.NewRequest("GET", "/api/deployments/d1/events", nil)
		req.Header.Set("Authorization", "Bearer admin-token")
		req.Header.Set("Accept", "text/event-stream")
		h.server.Handler().ServeHTTP(w, req)
		w.returned()
		time.Sleep(200 * time.Microsecond)
		if n := w.lateWrites(); n > 0 {
			t.Fatalf("stream %d: %d writes after the handler returned", i, n)
		}
	}
}
