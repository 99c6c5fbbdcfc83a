package portal

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"paved.dev/paved"
)

// pages holds one template set per page: the layout and the page.
type pages struct {
	sets map[string]*template.Template
}

func parsePages() (*pages, error) {
	names, err := fs.Glob(templates, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pg := &pages{sets: map[string]*template.Template{}}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" || name == "partials" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templates, "templates/layout.html", "templates/partials.html", n)
		if err != nil {
			return nil, fmt.Errorf("portal: template %s: %w", name, err)
		}
		pg.sets[name] = t
	}
	return pg, nil
}

// view is what every page's template gets: the page's data and the frame.
type view struct {
	Title   string
	User    *paved.User
	CSRF    string
	Nav     string
	Version string
	Now     time.Time
	// Flash is what the action that led here said (a deletion's result).
	Flash string
	Data  any
}

// render writes a page; a template that fails is a bug, reported as an
// internal error without its details.
func (p *Portal) render(w http.ResponseWriter, r *http.Request, rq *request, status int, name string, data any) {
	t := p.pages.sets[name]
	if t == nil {
		p.log.Error("portal: no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	v := view{Data: data, Version: p.version, Now: p.now(), Nav: navOf(r.URL.Path)}
	if m, ok := data.(map[string]any); ok {
		v.Title, _ = m["Title"].(string)
	}
	if tp, ok := data.(interface{ title() string }); ok {
		v.Title = tp.title()
	}
	if rq != nil {
		v.User, v.CSRF = rq.user, rq.csrf
		v.Flash = takeFlash(w, r)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		p.log.Error("portal: rendering a page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// A flash is a message for the next page, in a cookie of its own (set by
// the portal, not by a link: no other site can make a page say it).
const flashCookie = "paved_flash"

func setFlash(w http.ResponseWriter, r *http.Request, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(msg)), Path: "/", MaxAge: 60,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(r)})
}

func takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(r)})
	msg, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(msg) > 4096 {
		return ""
	}
	return string(msg)
}

func navOf(p string) string {
	for _, n := range []string{"apps", "deploy", "types", "platform", "audit", "deployments", "new", "program", "dora", "feedback", "roadmap"} {
		if strings.HasPrefix(p, "/"+n) {
			switch n {
			case "deployments":
				return "apps"
			case "roadmap":
				return "feedback"
			}
			return n
		}
	}
	return "home"
}

// errorPage is what a failed request shows.
type errorPage struct {
	Status  int
	Code    string
	Message string
}

func (e errorPage) title() string { return http.StatusText(e.Status) }

var statusByCode = map[string]int{
	paved.EINVALID: http.StatusBadRequest, paved.EUNAUTHORIZED: http.StatusUnauthorized, paved.EFORBIDDEN: http.StatusForbidden,
	paved.ENOTFOUND: http.StatusNotFound, paved.ECONFLICT: http.StatusConflict, paved.ETOOMANY: http.StatusTooManyRequests,
	paved.EUNAVAILABLE: http.StatusServiceUnavailable,
}

// fail renders an error: its status from the domain code, its message as
// the service wrote it (naming the field and the fix); an internal error
// shows no details, which go to the log.
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	code := paved.ErrorCode(err)
	status := statusByCode[code]
	msg := paved.ErrorMessage(err)
	if status == 0 {
		status, msg = http.StatusInternalServerError, "internal error: the server's log has the details"
		p.log.Error("portal: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p.render(w, r, rq, status, "error", errorPage{Status: status, Code: code, Message: msg})
}

func (p *Portal) notFound(rq *request) error {
	return paved.Errorf(paved.ENOTFOUND, "there is no page at %s", rq.r.URL.Path)
}

var funcs = template.FuncMap{
	"when": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return "-"
			}
			return v.UTC().Format("2006-01-02 15:04:05Z")
		case *time.Time:
			if v == nil {
				return "-"
			}
			return v.UTC().Format("2006-01-02 15:04:05Z")
		}
		return "-"
	},
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"until": func(t *time.Time, now time.Time) string {
		if t == nil {
			return ""
		}
		d := t.Sub(now)
		if d <= 0 {
			return "expired"
		}
		return "in " + roughly(d)
	},
	"ago": func(t time.Time, now time.Time) string { return roughly(now.Sub(t)) + " ago" },
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
	"status":     func(s any) string { return "status status-" + strings.ReplaceAll(fmt.Sprint(s), "_", "-") },
	"join":       strings.Join,
	"statusText": http.StatusText,
	"add":        func(a, b int) int { return a + b },
	"mul100":     func(x float64) float64 { return x * 100 },
	"weekOf":     weekOf,
	"has": func(xs []string, x string) bool {
		for _, y := range xs {
			if y == x {
				return true
			}
		}
		return false
	},
}

// roughly says a duration the way people do: 3h12m, 4d, 45s.
func roughly(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
