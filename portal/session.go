package portal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"paved.dev/paved"
)

// A session is a token of its own, issued at login for the user who
// logged in ("portal session", lasting the session's TTL) and kept in an
// HttpOnly, SameSite=Strict cookie as "ID.SECRET": every request is
// authenticated as an API request is, logging out revokes it, and it shows
// in the user's token list. Any replica of the server accepts it.
const (
	sessionCookie    = "paved_session"
	loginCSRFCookie  = "paved_login_csrf"
	sessionTokenName = "portal session"
	// maxSessions bounds a user's portal sessions: a login beyond it ends
	// the oldest, so that logins never use up the user's tokens.
	maxSessions = 5
)

// request is one authenticated page request.
type request struct {
	w       http.ResponseWriter
	r       *http.Request
	ctx     context.Context // with the user as actor
	user    *paved.User
	session session
	csrf    string
}

type session struct{ id, secret string }

func (s session) String() string { return s.id + "." + s.secret }

func parseSession(v string) (session, bool) {
	id, secret, ok := strings.Cut(v, ".")
	if !ok || !strings.HasPrefix(id, "t-") || !strings.HasPrefix(secret, "pvd_") {
		return session{}, false
	}
	return session{id: id, secret: secret}, true
}

// csrfToken is the session's CSRF token: an HMAC keyed by the session's
// secret, so that only a page of this session can have it.
func csrfToken(s session) string {
	m := hmac.New(sha256.New, []byte(s.secret))
	m.Write([]byte("paved portal csrf"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func secure(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (p *Portal) setSession(w http.ResponseWriter, r *http.Request, s session, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.String(), Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(r)})
}

func (p *Portal) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(r)})
}

// authenticated returns the request's user from its session cookie.
func (p *Portal) authenticated(r *http.Request) (*paved.User, session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, session{}, errNoSession
	}
	s, ok := parseSession(c.Value)
	if !ok {
		return nil, session{}, errNoSession
	}
	u, err := p.auth(withClient(r), s.secret)
	if err != nil {
		return nil, session{}, err
	}
	return u, s, nil
}

var errNoSession = errors.New("no session")

// pageOption tunes page.
type pageOption int

// noCSRF: the handler changes nothing (the not-found page answers any
// method).
const noCSRF pageOption = 1

// page wraps a page handler: it needs a session (anonymous requests go to
// the login form, and come back after), checks the CSRF token of every
// form posted, and renders what the handler returns as an error.
func (p *Portal) page(f func(*request) error, opts ...pageOption) http.Handler {
	checkCSRF := true
	for _, o := range opts {
		if o == noCSRF {
			checkCSRF = false
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, s, err := p.authenticated(r)
		if err != nil {
			code := paved.ErrorCode(err)
			if !errors.Is(err, errNoSession) && code != paved.EUNAUTHORIZED && code != paved.ENOTFOUND {
				p.fail(w, r, nil, err) // the store is down, say
				return
			}
			if !errors.Is(err, errNoSession) {
				p.clearSession(w, r) // expired or revoked
			}
			next := "/"
			if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/") {
				next = r.URL.RequestURI()
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		rq := &request{w: w, r: r, ctx: paved.WithActor(r.Context(), u), user: u, session: s, csrf: csrfToken(s)}
		if r.Method == http.MethodPost && checkCSRF {
			limit := int64(maxForm)
			if r.URL.Path == "/deploy" {
				limit = maxUpload
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if err := parseForm(r); err != nil {
				p.fail(w, r, rq, err)
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(rq.csrf)) != 1 {
				p.fail(w, r, rq, paved.Errorf(paved.EFORBIDDEN, "this form has no valid CSRF token (it may come from another site, or from a session that ended); reload the page and send it again"))
				return
			}
		}
		if err := f(rq); err != nil {
			p.fail(w, r, rq, err)
		}
	})
}

// parseForm reads a posted form, a multipart one (the deploy form's
// files) too, within the body limit already set.
func parseForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(maxUpload)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return paved.Errorf(paved.EINVALID, "the form is larger than the limit of %d MiB", tooBig.Limit>>20)
	case err != nil:
		return paved.Errorf(paved.EINVALID, "the form could not be read: %s", err)
	}
	return nil
}

// safeNext keeps a post-login redirect on the portal: a path of its own,
// never a URL of another host however a browser would read it (no
// scheme, no host, no backslash, no control character, no "//" start).
func safeNext(next string) string {
	if next == "" || strings.ContainsAny(next, "\\") || strings.IndexFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") || strings.HasPrefix(u.Path, "/login") {
		return "/"
	}
	return u.RequestURI()
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// loginForm asks for a token; a login CSRF cookie ties the form to this
// browser (double submit).
func (p *Portal) loginForm(w http.ResponseWriter, r *http.Request) {
	if _, _, err := p.authenticated(r); err == nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	p.showLogin(w, r, http.StatusOK, "")
}

func (p *Portal) showLogin(w http.ResponseWriter, r *http.Request, status int, problem string) {
	c := p.loginCSRF(w, r)
	p.render(w, r, nil, status, "login", map[string]any{"Next": safeNext(r.FormValue("next")), "CSRF": c, "Problem": problem, "Title": "Log in"})
}

// loginCSRF sets the login forms' CSRF cookie and returns its value: one
// value per browser while it lasts, so that a second request for a form
// (another tab, a prefetch) does not invalidate the first.
func (p *Portal) loginCSRF(w http.ResponseWriter, r *http.Request) string {
	c := randomString()
	if old, err := r.Cookie(loginCSRFCookie); err == nil && len(old.Value) == len(c) {
		c = old.Value
	}
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: c, Path: "/login", MaxAge: 600,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(r)})
	return c
}

// login exchanges a token for a session.
func (p *Portal) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		p.showLogin(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		p.showLogin(w, r, http.StatusForbidden, "This login form expired or came from another site; log in again here.")
		return
	}
	token := strings.TrimSpace(r.PostFormValue("token"))
	if token == "" {
		p.showLogin(w, r, http.StatusBadRequest, "token: give your token (paved user token create YOUR_NAME prints one).")
		return
	}
	u, err := p.auth(withClient(r), token)
	if err != nil {
		status := http.StatusUnauthorized
		if paved.ErrorCode(err) == paved.ETOOMANY {
			status = http.StatusTooManyRequests
		}
		p.showLogin(w, r, status, paved.ErrorMessage(err))
		return
	}
	if err := p.startSession(w, r, u); err != nil {
		p.showLogin(w, r, statusOf(err), "Logging in failed: "+paved.ErrorMessage(err))
		return
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// startSession issues the session's token and sets its cookie. A user
// holds at most maxSessions sessions: the oldest ones end first.
func (p *Portal) startSession(w http.ResponseWriter, r *http.Request, u *paved.User) error {
	ctx := paved.WithActor(r.Context(), u)
	toks, err := p.svc.Users.ListTokens(ctx, u.Name)
	if err != nil {
		return err
	}
	now := p.now()
	var sessions []paved.Token
	for _, t := range toks {
		if t.Name == sessionTokenName && t.Active(now) {
			sessions = append(sessions, t)
		}
	}
	slices.SortFunc(sessions, func(a, b paved.Token) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for len(sessions) >= maxSessions {
		if _, err := p.svc.Users.RevokeTokens(ctx, u.Name, sessions[0].ID); err != nil && paved.ErrorCode(err) != paved.ENOTFOUND {
			return err
		}
		sessions = sessions[1:]
	}
	tok, err := p.svc.Users.CreateToken(ctx, &paved.TokenRequest{User: u.Name, Name: sessionTokenName, TTL: paved.Duration(p.ttl)})
	if err != nil {
		return err
	}
	p.setSession(w, r, session{id: tok.ID, secret: tok.Secret}, int(p.ttl.Seconds()))
	return nil
}

// loginLinkPage shows a single-use link's page: a button that logs in. A
// GET never uses the link (link previews, prefetches); the POST does, with
// the login form's CSRF cookie, so that no other site can use a link to log
// someone in as another user.
func (p *Portal) loginLinkPage(w http.ResponseWriter, r *http.Request) {
	c := p.loginCSRF(w, r)
	w.Header().Set("Referrer-Policy", "no-referrer")
	p.render(w, r, nil, http.StatusOK, "link", map[string]any{"Title": "Log in", "Code": r.PathValue("code"), "CSRF": c, "Next": safeNext(r.URL.Query().Get("next"))})
}

// loginLink uses a single-use link: the platform revokes it as it logs in.
func (p *Portal) loginLink(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		p.showLogin(w, r, http.StatusBadRequest, "The form could not be read.")
		return
	}
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		p.showLogin(w, r, http.StatusForbidden, "This login link's page expired or came from another site; open the link again.")
		return
	}
	u, err := p.redeem(r.Context(), r.PathValue("code"))
	if err != nil {
		p.showLogin(w, r, statusOf(err), paved.ErrorMessage(err))
		return
	}
	if err := p.startSession(w, r, u); err != nil {
		p.showLogin(w, r, statusOf(err), "Logging in failed: "+paved.ErrorMessage(err))
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// LoginLink issues a single-use login link for a user, valid ten minutes:
// a path to append to the server's URL. ctx's actor must be the user or
// an admin.
func (p *Portal) LoginLink(ctx context.Context, user, next string) (string, error) {
	if p.issueLink == nil {
		return "", paved.Errorf(paved.EUNAVAILABLE, "this server issues no login links")
	}
	tok, err := p.issueLink(ctx, user, loginLinkTTL)
	if err != nil {
		return "", err
	}
	link := "/login/" + tok.Secret
	if next != "" {
		link += "?next=" + url.QueryEscape(next)
	}
	return link, nil
}

// statusOf is the HTTP status of a domain error.
func statusOf(err error) int {
	if st := statusByCode[paved.ErrorCode(err)]; st != 0 {
		return st
	}
	return http.StatusInternalServerError
}

// logout revokes the session's token, found by its secret (the id in the
// cookie is the client's word), and clears its cookie.
func (p *Portal) logout(rq *request) error {
	if err := p.endSess(rq.ctx, rq.session.secret); err != nil {
		return err
	}
	p.clearSession(rq.w, rq.r)
	http.Redirect(rq.w, rq.r, "/login", http.StatusSeeOther)
	return nil
}

// withClient is the request's context with the client's address, by
// which failed logins are limited.
func withClient(r *http.Request) context.Context {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	return paved.WithClient(r.Context(), host)
}
