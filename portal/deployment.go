package portal

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/manifest"
)

type deploymentPage struct {
	D         *paved.Deployment
	Events    []paved.Event
	Objects   []renderedObject
	Graph     template.HTML
	MayChange bool
	Finished  bool
	LastSeq   int64
}

func (d deploymentPage) title() string { return "Deployment " + d.D.ID }

// renderedObject is one object as YAML (Secret values are redacted by the
// service).
type renderedObject struct {
	Ref  paved.ObjectRef
	YAML string
}

func (p *Portal) deployment(rq *request) error {
	d, err := p.svc.Deployments.GetDeployment(rq.ctx, rq.r.PathValue("id"))
	if err != nil {
		return err
	}
	events, err := p.svc.Deployments.Events(rq.ctx, d.ID, 0)
	if err != nil {
		return err
	}
	page := deploymentPage{D: d, Events: events, Graph: resourceGraph(d, workloadsOf(d.Specs)), Finished: d.Status.Finished()}
	if len(events) > 0 {
		page.LastSeq = events[len(events)-1].Seq
	}
	if a, err := p.svc.Apps.GetApp(rq.ctx, d.App); err == nil {
		page.MayChange = mayChange(rq.user, a.Team)
	}
	for _, o := range d.Objects {
		y, err := manifest.Marshal(map[string]any(o))
		if err != nil {
			return err
		}
		page.Objects = append(page.Objects, renderedObject{Ref: o.Ref(), YAML: string(y)})
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "deployment", page)
	return nil
}

// Event streams: a quiet stream gets a comment now and then (proxies cut
// silent connections), each write has a deadline (a client that stopped
// reading is dropped), and a stream ends after maxStream at the latest (the
// browser reconnects with Last-Event-ID and misses nothing).
const (
	keepAlive        = 15 * time.Second
	streamWriteLimit = 10 * time.Second
	maxStream        = time.Hour
)

// deploymentEvents streams a deployment's events after ?after= (or the
// Last-Event-ID a reconnecting browser sends) as Server-Sent Events whose
// data are HTML list items, which htmx's SSE extension appends, then an
// "end" event with the final status, which it puts in place of the
// page's status (and of the "following" note). A refusal before anything was sent (the user's streams
// at their limit, say) is an ordinary error answer.
func (p *Portal) deploymentEvents(rq *request) error {
	if p.svc.Events == nil {
		return paved.Errorf(paved.EUNAVAILABLE, "this server does not stream events")
	}
	after, _ := strconv.ParseInt(rq.r.URL.Query().Get("after"), 10, 64)
	if last, err := strconv.ParseInt(rq.r.Header.Get("Last-Event-ID"), 10, 64); err == nil && last > after {
		after = last
	}
	after = max(after, 0)
	id := rq.r.PathValue("id")
	if _, err := p.svc.Deployments.GetDeployment(rq.ctx, id); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(rq.ctx, maxStream)
	defer cancel()
	rc := http.NewResponseController(rq.w)
	var mu sync.Mutex
	started := false
	write := func(frame string) error {
		mu.Lock()
		defer mu.Unlock()
		if !started {
			h := rq.w.Header()
			h.Set("Content-Type", "text/event-stream")
			h.Set("Cache-Control", "no-store")
			h.Set("X-Accel-Buffering", "no")
			rq.w.WriteHeader(http.StatusOK)
			frame = "retry: 3000\n\n" + frame
			started = true
		}
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteLimit))
		if _, err := io.WriteString(rq.w, frame); err != nil {
			return err
		}
		return rc.Flush()
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(keepAlive)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-p.closing:
				cancel()
				return
			case <-t.C:
				if write(": keep-alive\n\n") != nil {
					cancel()
					return
				}
			}
		}
	}()
	defer wg.Wait()
	defer cancel()
	item := p.pages.sets["deployment"].Lookup("event")
	send := func(e paved.Event) error {
		var b bytes.Buffer
		if err := item.Execute(&b, e); err != nil {
			return err
		}
		return write(sseFrame("message", strconv.FormatInt(e.Seq, 10), b.String()))
	}
	final, err := p.svc.Events.FollowEvents(ctx, id, after, send)
	if err != nil {
		mu.Lock()
		sent := started
		mu.Unlock()
		if !sent && rq.r.Context().Err() == nil && ctx.Err() == nil {
			return err
		}
		return nil // the stream has started, or the client left: nothing more to say
	}
	end := fmt.Sprintf(`<span class="status status-%s">%s</span>`, template.HTMLEscapeString(string(final.Status)), template.HTMLEscapeString(string(final.Status)))
	_ = write(sseFrame("end", "", end))
	return nil
}

// sseFrame is one Server-Sent Event: each line of data (whatever its line
// ends) on a data: line of its own.
func sseFrame(event, id, data string) string {
	var b strings.Builder
	b.WriteString("event: " + event + "\n")
	if id != "" {
		b.WriteString("id: " + id + "\n")
	}
	data = strings.ReplaceAll(strings.ReplaceAll(strings.TrimSpace(data), "\r\n", "\n"), "\r", "\n")
	for _, line := range strings.Split(data, "\n") {
		b.WriteString("data: " + line + "\n")
	}
	b.WriteString("\n")
	return b.String()
}

func (p *Portal) rollback(rq *request) error {
	d, err := p.svc.Deployments.Rollback(rq.ctx, rq.r.PathValue("id"))
	if err != nil {
		return err
	}
	http.Redirect(rq.w, rq.r, "/deployments/"+url.PathEscape(d.ID), http.StatusSeeOther)
	return nil
}
