package portal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
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
	linkTokenName    = "portal login link"
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
	u, err := p.auth(r.Context(), s.secret)
	if err != nil {
		return nil, session{}, err
	}
	return u, s, nil
}

var errNoSession = errors.New("no session")

// page wraps a page handler: it needs a session (anonymous requests go to
// the login form, and come back after), checks the CSRF token of every
// form posted, and renders what the handler returns as an error.
func (p *Portal) page(f func(*request) error) http.Handler {
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
		if r.Method == http.MethodPost {
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

// safeNext keeps a post-login redirect on the portal.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.HasPrefix(next, "/login") {
		return "/"
	}
	return next
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
	// One value per browser while it lasts: a second request for the form
	// (another tab, a prefetch) must not invalidate the first.
	c := randomString()
	if old, err := r.Cookie(loginCSRFCookie); err == nil && len(old.Value) == len(c) {
		c = old.Value
	}
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: c, Path: "/login", MaxAge: 600,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: secure(r)})
	p.render(w, r, nil, status, "login", map[string]any{"Next": safeNext(r.FormValue("next")), "CSRF": c, "Problem": problem, "Title": "Log in"})
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
	u, err := p.auth(r.Context(), token)
	if err != nil {
		p.showLogin(w, r, http.StatusUnauthorized, paved.ErrorMessage(err))
		return
	}
	if err := p.startSession(w, r, u); err != nil {
		p.showLogin(w, r, http.StatusServiceUnavailable, "Logging in failed: "+paved.ErrorMessage(err))
		return
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

// startSession issues the session's token and sets its cookie.
func (p *Portal) startSession(w http.ResponseWriter, r *http.Request, u *paved.User) error {
	ctx := paved.WithActor(r.Context(), u)
	tok, err := p.svc.Users.CreateToken(ctx, &paved.TokenRequest{User: u.Name, Name: sessionTokenName, TTL: paved.Duration(p.ttl)})
	if err != nil {
		return err
	}
	p.setSession(w, r, session{id: tok.ID, secret: tok.Secret}, int(p.ttl.Seconds()))
	return nil
}

// loginLink logs in with a single-use link: its code is a token of ten
// minutes, revoked as it is used.
func (p *Portal) loginLink(w http.ResponseWriter, r *http.Request) {
	s, ok := parseSession(r.PathValue("code"))
	var u *paved.User
	var err error
	if ok {
		u, err = p.auth(r.Context(), s.secret)
	}
	if !ok || err != nil {
		p.showLogin(w, r, http.StatusUnauthorized, "This login link was used already, has expired or is not valid; log in with a token, or ask for a new link.")
		return
	}
	ctx := paved.WithActor(r.Context(), u)
	if n, err := p.svc.Users.RevokeTokens(ctx, u.Name, s.id); err != nil || n != 1 {
		// Another request used it first.
		p.showLogin(w, r, http.StatusUnauthorized, "This login link was used already; log in with a token, or ask for a new link.")
		return
	}
	if err := p.startSession(w, r, u); err != nil {
		p.showLogin(w, r, http.StatusServiceUnavailable, "Logging in failed: "+paved.ErrorMessage(err))
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// LoginLink issues a single-use login link for a user, valid ten minutes:
// a path to append to the server's URL. ctx's actor must be the user or
// an admin.
func (p *Portal) LoginLink(ctx context.Context, user, next string) (string, error) {
	tok, err := p.svc.Users.CreateToken(ctx, &paved.TokenRequest{User: user, Name: linkTokenName, TTL: paved.Duration(loginLinkTTL)})
	if err != nil {
		return "", err
	}
	link := "/login/" + session{id: tok.ID, secret: tok.Secret}.String()
	if next != "" {
		link += "?next=" + url.QueryEscape(next)
	}
	return link, nil
}

// logout revokes the session's token and clears its cookie.
func (p *Portal) logout(rq *request) error {
	if _, err := p.svc.Users.RevokeTokens(rq.ctx, rq.user.Name, rq.session.id); err != nil && paved.ErrorCode(err) != paved.ENOTFOUND {
		return err
	}
	p.clearSession(rq.w, rq.r)
	http.Redirect(rq.w, rq.r, "/login", http.StatusSeeOther)
	return nil
}
