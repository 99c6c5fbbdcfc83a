package portal

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"paved.dev/paved"
)

// An app's scorecards: the level on each, every rule's pass or fail and
// how to pass it, and the trend of recorded results.

// trendPoints is how many recorded results a trend shows.
const trendPoints = 100

type scorecardView struct {
	paved.ScorecardResult
	History []paved.ScorecardRecord
	Trend   template.HTML
}

type scorecardsPage struct {
	App        *paved.App
	Facts      paved.ScorecardFacts
	Scorecards []scorecardView
}

func (s scorecardsPage) title() string { return "Scorecards of " + s.App.Name }

func (p *Portal) scorecards(rq *request) error {
	if p.svc.Scorecards == nil {
		return paved.Errorf(paved.EUNAVAILABLE, "this server computes no scorecards")
	}
	a, err := p.svc.Apps.GetApp(rq.ctx, rq.r.PathValue("app"))
	if err != nil {
		return err
	}
	out, err := p.svc.Scorecards.AppScorecards(rq.ctx, a.Name, "")
	if err != nil {
		return err
	}
	page := scorecardsPage{App: a, Facts: out.Facts}
	for _, r := range out.Scorecards {
		hs, err := p.svc.Scorecards.ScorecardHistory(rq.ctx, a.Name, r.Scorecard, trendPoints)
		if err != nil {
			return err
		}
		page.Scorecards = append(page.Scorecards, scorecardView{ScorecardResult: r, History: hs, Trend: trendChart(r.Scorecard, hs, out.Facts.At)})
	}
	p.render(rq.w, rq.r, rq, http.StatusOK, "scorecards", page)
	return nil
}

// trendChart draws an app's level on a scorecard over time as a step line,
// server side (no script): each recorded result holds until the next, the
// latest until now. Its label says the same in words.
func trendChart(id string, hs []paved.ScorecardRecord, now time.Time) template.HTML {
	if len(hs) == 0 {
		return ""
	}
	hs = slices.Clone(hs)
	slices.Reverse(hs) // oldest first
	const width, height, left, top, bottom = 560.0, 140.0, 64.0, 10.0, 24.0
	plot := height - top - bottom
	start := hs[0].At
	span := now.Sub(start).Seconds()
	if span <= 0 {
		span = 1
	}
	x := func(t time.Time) float64 { return left + (width-left-8)*t.Sub(start).Seconds()/span }
	y := func(l paved.ScorecardLevel) float64 { return top + plot*(1-float64(l.Rank())/3) }
	var b strings.Builder
	for _, l := range []paved.ScorecardLevel{"", paved.LevelBronze, paved.LevelSilver, paved.LevelGold} {
		name := string(l)
		if l == "" {
			name = "none"
		}
		fmt.Fprintf(&b, `<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"></line>`, left, y(l), width-8, y(l))
		fmt.Fprintf(&b, `<text class="label" x="0" y="%.1f">%s</text>`, y(l)+4, name)
	}
	var pts, summary []string
	for i, h := range hs {
		end := now
		if i+1 < len(hs) {
			end = hs[i+1].At
		}
		pts = append(pts, fmt.Sprintf("%.1f,%.1f %.1f,%.1f", x(h.At), y(h.Level), x(end), y(h.Level)))
		level := string(h.Level)
		if level == "" {
			level = "none"
		}
		summary = append(summary, level+" from "+h.At.UTC().Format(time.DateOnly))
	}
	fmt.Fprintf(&b, `<polyline class="trend" points="%s"></polyline>`, strings.Join(pts, " "))
	fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%.1f">%s</text><text class="value" x="%.1f" y="%.1f" text-anchor="end">%s</text>`,
		left, height-6, start.UTC().Format(time.DateOnly), width-8, height-6, now.UTC().Format(time.DateOnly))
	label := fmt.Sprintf("level on %s over time: %s", id, strings.Join(summary, "; "))
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="%s" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f"><title>%s</title>%s</svg>`,
		template.HTMLEscapeString(label), width, height, width, height, template.HTMLEscapeString("The level on "+id+" over time"), b.String()))
}
