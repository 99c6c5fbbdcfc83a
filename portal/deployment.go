package portal

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
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
	page := deploymentPage{D: d, Events: events, Graph: resourceGraph(d), Finished: d.Status.Finished()}
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

// deploymentEvents streams a deployment's events after ?after= as
// Server-Sent Events whose data are HTML list items (htmx's SSE extension
// appends them), then an "end" event with the final status, which makes
// the page reload once.
func (p *Portal) deploymentEvents(rq *request) error {
	if p.svc.Events == nil {
		return paved.Errorf(paved.EUNAVAILABLE, "this server does not stream events")
	}
	after, _ := strconv.ParseInt(rq.r.URL.Query().Get("after"), 10, 64)
	if after < 0 {
		after = 0
	}
	id := rq.r.PathValue("id")
	if _, err := p.svc.Deployments.GetDeployment(rq.ctx, id); err != nil {
		return err
	}
	rc := http.NewResponseController(rq.w)
	_ = rc.SetWriteDeadline(timeZero)
	fl := flusher{rc}
	h := rq.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	rq.w.WriteHeader(http.StatusOK)
	fl.Flush()
	item := p.pages.sets["deployment"].Lookup("event")
	send := func(e paved.Event) error {
		var b bytes.Buffer
		if err := item.Execute(&b, e); err != nil {
			return err
		}
		fmt.Fprintf(rq.w, "event: message\nid: %d\n", e.Seq)
		for _, line := range bytes.Split(bytes.TrimSpace(b.Bytes()), []byte("\n")) {
			fmt.Fprintf(rq.w, "data: %s\n", line)
		}
		fmt.Fprint(rq.w, "\n")
		fl.Flush()
		return nil
	}
	final, err := p.svc.Events.FollowEvents(rq.ctx, id, after, send)
	if err != nil {
		if rq.r.Context().Err() == nil {
			p.log.Warn("portal: following events", "deployment", id, "err", err)
		}
		return nil // the stream has started: nothing else can be said
	}
	fmt.Fprintf(rq.w, "event: end\ndata: <span class=\"%s\">%s</span>\n\n", "status status-"+string(final.Status), template.HTMLEscapeString(string(final.Status)))
	fl.Flush()
	return nil
}

// flusher flushes through whatever wraps the response writer.
type flusher struct{ rc *http.ResponseController }

func (f flusher) Flush() { _ = f.rc.Flush() }

// timeZero lifts a write deadline: an event stream lasts as long as its
// deployment.
var timeZero time.Time

func (p *Portal) rollback(rq *request) error {
	d, err := p.svc.Deployments.Rollback(rq.ctx, rq.r.PathValue("id"))
	if err != nil {
		return err
	}
	http.Redirect(rq.w, rq.r, "/deployments/"+url.PathEscape(d.ID), http.StatusSeeOther)
	return nil
}
