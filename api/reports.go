package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"paved.dev/paved"
)

// maxReport bounds a report the client reads: one HTML file with inline
// charts is far smaller.
const maxReport = 32 << 20

// reportCSP lets a report do nothing but show itself: its own inline
// styles and SVG, no script, nothing fetched.
const reportCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// report serves GET /api/reports/{audience}: the demo report as one
// self-contained HTML document.
func (s *Server) report(w http.ResponseWriter, r *http.Request) error {
	req, err := reportRequest(r.PathValue("audience"), r.URL.Query())
	if err != nil {
		return err
	}
	rep, err := s.svc.Reports.Report(r.Context(), req)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", reportCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="paved-%s-report.html"`, rep.Audience))
	h.Set("Last-Modified", rep.GeneratedAt.UTC().Format(http.TimeFormat))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(rep.HTML)
	return nil
}

// reportRequest reads a report's audience and assumptions from the path
// and query.
func reportRequest(audience string, q url.Values) (*paved.ReportRequest, error) {
	req := &paved.ReportRequest{Audience: paved.ReportAudience(audience)}
	for _, p := range []struct {
		name string
		dst  **paved.Duration
	}{{"deployment_time_saved", &req.DeploymentTimeSaved}, {"preview_time_saved", &req.PreviewTimeSaved}} {
		if v := q.Get(p.name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				return nil, paved.Errorf(paved.EINVALID, "%s: %q is not a duration such as 30m or 2h", p.name, v)
			}
			pd := paved.Duration(d)
			*p.dst = &pd
		}
	}
	if v := q.Get("hourly_rate"); v != "" {
		rate, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "hourly_rate: %q is not a number", v)
		}
		req.HourlyRate = rate
	}
	return req, req.Validate()
}

// Report fetches a demo report.
func (c *Client) Report(ctx context.Context, req *paved.ReportRequest) (*paved.Report, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	q := url.Values{}
	if req.DeploymentTimeSaved != nil {
		q.Set("deployment_time_saved", time.Duration(*req.DeploymentTimeSaved).String())
	}
	if req.PreviewTimeSaved != nil {
		q.Set("preview_time_saved", time.Duration(*req.PreviewTimeSaved).String())
	}
	if req.HourlyRate != 0 {
		q.Set("hourly_rate", strconv.FormatFloat(req.HourlyRate, 'f', -1, 64))
	}
	hreq, err := c.newRequest(ctx, http.MethodGet, "/api/reports/"+url.PathEscape(string(req.Audience)), q, nil)
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Accept", "text/html")
	resp, err := c.send(hreq)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return nil, c.responseError(resp)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		return nil, paved.Errorf(paved.EUNAVAILABLE, "the paved server at %s sent a report of type %q, not HTML", c.base, ct)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxReport+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, paved.Errorf(paved.EUNAVAILABLE, "reading the report from %s: %v", c.base, err)
	}
	if len(b) > maxReport {
		return nil, paved.Errorf(paved.EUNAVAILABLE, "the report from %s is larger than %d MiB", c.base, maxReport>>20)
	}
	at, _ := http.ParseTime(resp.Header.Get("Last-Modified"))
	return &paved.Report{Audience: req.Audience, GeneratedAt: at.UTC(), HTML: b}, nil
}

func (u unavailable) Report(context.Context, *paved.ReportRequest) (*paved.Report, error) {
	return nil, u.err()
}
