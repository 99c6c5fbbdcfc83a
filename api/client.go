package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"paved.dev/paved"
)

// The client implements every service, so the CLI calls the server through
// the same interfaces the server calls the platform through.
var (
	_ paved.TeamService        = (*Client)(nil)
	_ paved.UserService        = (*Client)(nil)
	_ paved.AppService         = (*Client)(nil)
	_ paved.EnvironmentService = (*Client)(nil)
	_ paved.DefinitionService  = (*Client)(nil)
	_ paved.DeploymentService  = (*Client)(nil)
	_ paved.ResourceService    = (*Client)(nil)
	_ paved.AuditService       = (*Client)(nil)
	_ paved.TargetService      = (*Client)(nil)
	_ paved.EventFollower      = (*Client)(nil)
)

// Client talks to a paved server.
type Client struct {
	base      string
	token     string
	http      *http.Client
	userAgent string
	timeout   time.Duration
	// retries is how many times in a row StreamEvents reconnects a broken
	// stream before giving up.
	retries int
	backoff time.Duration
}

// ClientOption configures a Client.
type ClientOption func(*Client)

// WithHTTPClient sets the HTTP client (proxies, TLS, transport).
func WithHTTPClient(h *http.Client) ClientOption { return func(c *Client) { c.http = h } }

// WithUserAgent sets the User-Agent header, such as "paved-cli/1.2.0".
func WithUserAgent(ua string) ClientOption { return func(c *Client) { c.userAgent = ua } }

// WithTimeout bounds every request but event streams; 2 minutes by default,
// 0 for none (the context alone decides).
func WithTimeout(d time.Duration) ClientOption { return func(c *Client) { c.timeout = d } }

// WithStreamRetry sets how many times in a row StreamEvents reconnects a
// broken stream (resuming after the last event) and how long it first waits.
func WithStreamRetry(n int, backoff time.Duration) ClientOption {
	return func(c *Client) { c.retries, c.backoff = n, backoff }
}

// NewClient returns a client of the server at baseURL ("https://paved.example.com")
// that authenticates with token; an empty token sends none.
func NewClient(baseURL, token string, opts ...ClientOption) *Client {
	c := &Client{
		base:      strings.TrimRight(baseURL, "/"),
		token:     token,
		http:      &http.Client{},
		userAgent: "paved-client",
		timeout:   2 * time.Minute,
		retries:   5,
		backoff:   500 * time.Millisecond,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// path joins escaped path segments. An empty one is the caller's mistake,
// which would otherwise reach a different route.
func path(format string, args ...string) (string, error) {
	escaped := make([]any, len(args))
	for i, a := range args {
		if a == "" {
			return "", paved.Errorf(paved.EINVALID, "%s: required", paramName(format, i))
		}
		escaped[i] = url.PathEscape(a)
	}
	return fmt.Sprintf(format, escaped...), nil
}

// paramName names the i-th %s of a path format by the segment before it.
func paramName(format string, i int) string {
	segs := strings.Split(format, "/")
	n := 0
	for j, s := range segs {
		if s != "%s" {
			continue
		}
		if n == i && j > 0 {
			switch segs[j-1] {
			case "apps":
				return "app"
			case "envs":
				return "environment"
			case "users":
				return "user"
			case "definitions":
				return "definition id"
			case "deployments":
				return "deployment id"
			case "resources":
				return "resource uid"
			case "targets":
				return "target"
			}
			return segs[j-1]
		}
		n++
	}
	return "name"
}

// do sends a JSON request and decodes a JSON answer into out (unless nil).
func (c *Client) do(ctx context.Context, method, p string, query url.Values, in, out any) error {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := c.newRequest(ctx, method, p, query, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.send(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return c.responseError(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return paved.Errorf(paved.EUNAVAILABLE, "the paved server at %s sent an answer that is not paved's JSON: %w", c.base, err)
	}
	return nil
}

func (c *Client) newRequest(ctx context.Context, method, p string, query url.Values, body io.Reader) (*http.Request, error) {
	u := c.base + p
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "server URL %q: %w", c.base, err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("User-Agent", c.userAgent)
	return req, nil
}

// send turns a failure to reach the server into EUNAVAILABLE, but leaves the
// caller's own cancellation as it is.
func (c *Client) send(req *http.Request) (*http.Response, error) {
	resp, err := c.http.Do(req)
	if err == nil {
		return resp, nil
	}
	if ctxErr := req.Context().Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		if errors.Is(ctxErr, context.DeadlineExceeded) {
			return nil, paved.Errorf(paved.EUNAVAILABLE, "the paved server at %s did not answer in time: %w", c.base, ctxErr)
		}
		return nil, ctxErr
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return nil, paved.Errorf(paved.EUNAVAILABLE, "cannot reach the paved server at %s: %w (is it running? --server, PAVED_SERVER or paved login --server URL points at another)", c.base, err)
}

// responseError turns an error answer back into the server's *paved.Error;
// an answer without one (a proxy's page) gets a code from its status.
func (c *Client) responseError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var er errorResponse
	if json.Unmarshal(b, &er) == nil && er.Error.Code != "" {
		return &paved.Error{Code: er.Error.Code, Message: er.Error.Message}
	}
	text := strings.TrimSpace(string(b))
	if len(text) > 200 {
		text = text[:200] + "..."
	}
	if text == "" {
		return paved.Errorf(CodeFromStatus(resp.StatusCode), "the paved server at %s answered %s", c.base, resp.Status)
	}
	return paved.Errorf(CodeFromStatus(resp.StatusCode), "the paved server at %s answered %s: %s", c.base, resp.Status, text)
}

// Health asks whether the server is up and which version it runs; it needs
// no token.
func (c *Client) Health(ctx context.Context) (*ServerStatus, error) {
	var h ServerStatus
	if err := c.do(ctx, http.MethodGet, "/api/healthz", nil, nil, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

func (c *Client) CreateTeam(ctx context.Context, t *paved.Team) error {
	return c.do(ctx, http.MethodPost, "/api/teams", nil, t, t)
}

func (c *Client) ListTeams(ctx context.Context) ([]paved.Team, error) {
	var l list[paved.Team]
	return l.Items, c.do(ctx, http.MethodGet, "/api/teams", nil, nil, &l)
}

func (c *Client) CreateUser(ctx context.Context, u *paved.User) error {
	return c.do(ctx, http.MethodPost, "/api/users", nil, u, u)
}

func (c *Client) ListUsers(ctx context.Context) ([]paved.User, error) {
	var l list[paved.User]
	return l.Items, c.do(ctx, http.MethodGet, "/api/users", nil, nil, &l)
}

func (c *Client) UpdateUser(ctx context.Context, name string, up paved.UserUpdate) (*paved.User, error) {
	p, err := path("/api/users/%s", name)
	if err != nil {
		return nil, err
	}
	var u paved.User
	if err := c.do(ctx, http.MethodPatch, p, nil, up, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

func (c *Client) CreateToken(ctx context.Context, req *paved.TokenRequest) (*paved.IssuedToken, error) {
	p, err := path("/api/users/%s/tokens", req.User)
	if err != nil {
		return nil, err
	}
	var t paved.IssuedToken
	if err := c.do(ctx, http.MethodPost, p, nil, req, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

func (c *Client) ListTokens(ctx context.Context, user string) ([]paved.Token, error) {
	p, err := path("/api/users/%s/tokens", user)
	if err != nil {
		return nil, err
	}
	var l list[paved.Token]
	return l.Items, c.do(ctx, http.MethodGet, p, nil, nil, &l)
}

func (c *Client) RevokeTokens(ctx context.Context, user, id string) (int, error) {
	p, err := path("/api/users/%s/tokens", user)
	if id != "" {
		p, err = path("/api/users/%s/tokens/%s", user, id)
	}
	if err != nil {
		return 0, err
	}
	var r RevokeResponse
	if err := c.do(ctx, http.MethodDelete, p, nil, nil, &r); err != nil {
		return 0, err
	}
	return r.Revoked, nil
}

func (c *Client) WhoAmI(ctx context.Context) (*paved.User, error) {
	var u paved.User
	if err := c.do(ctx, http.MethodGet, "/api/whoami", nil, nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

func (c *Client) CreateApp(ctx context.Context, a *paved.App) error {
	return c.do(ctx, http.MethodPost, "/api/apps", nil, a, a)
}

func (c *Client) GetApp(ctx context.Context, name string) (*paved.App, error) {
	p, err := path("/api/apps/%s", name)
	if err != nil {
		return nil, err
	}
	var a paved.App
	if err := c.do(ctx, http.MethodGet, p, nil, nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

func (c *Client) ListApps(ctx context.Context) ([]paved.App, error) {
	var l list[paved.App]
	return l.Items, c.do(ctx, http.MethodGet, "/api/apps", nil, nil, &l)
}

func (c *Client) CreateEnvironment(ctx context.Context, req *paved.EnvironmentRequest) (*paved.Environment, error) {
	p, err := path("/api/apps/%s/envs", req.App)
	if err != nil {
		return nil, err
	}
	var e paved.Environment
	if err := c.do(ctx, http.MethodPost, p, nil, req, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

func (c *Client) GetEnvironment(ctx context.Context, app, env string) (*paved.Environment, error) {
	p, err := path("/api/apps/%s/envs/%s", app, env)
	if err != nil {
		return nil, err
	}
	var e paved.Environment
	if err := c.do(ctx, http.MethodGet, p, nil, nil, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

func (c *Client) ListEnvironments(ctx context.Context, app string) ([]paved.Environment, error) {
	p, err := path("/api/apps/%s/envs", app)
	if err != nil {
		return nil, err
	}
	var l list[paved.Environment]
	return l.Items, c.do(ctx, http.MethodGet, p, nil, nil, &l)
}

func (c *Client) ResourceTypes(ctx context.Context, app, env string) ([]paved.TypeInfo, error) {
	p, err := path("/api/apps/%s/envs/%s/types", app, env)
	if err != nil {
		return nil, err
	}
	var l list[paved.TypeInfo]
	return l.Items, c.do(ctx, http.MethodGet, p, nil, nil, &l)
}

func (c *Client) ApplyDefinitions(ctx context.Context, defs []paved.ResourceDefinition) ([]paved.ResourceDefinition, error) {
	var l list[paved.ResourceDefinition]
	return l.Items, c.do(ctx, http.MethodPut, "/api/definitions", nil, DefinitionsRequest{Items: defs}, &l)
}

func (c *Client) ListDefinitions(ctx context.Context) ([]paved.ResourceDefinition, error) {
	var l list[paved.ResourceDefinition]
	return l.Items, c.do(ctx, http.MethodGet, "/api/definitions", nil, nil, &l)
}

func (c *Client) DefinitionHistory(ctx context.Context, id string) ([]paved.ResourceDefinition, error) {
	p, err := path("/api/definitions/%s/history", id)
	if err != nil {
		return nil, err
	}
	var l list[paved.ResourceDefinition]
	return l.Items, c.do(ctx, http.MethodGet, p, nil, nil, &l)
}

func (c *Client) Plan(ctx context.Context, req *paved.DeployRequest) (*paved.Plan, error) {
	p, err := path("/api/apps/%s/envs/%s/plan", req.App, req.Env)
	if err != nil {
		return nil, err
	}
	var plan paved.Plan
	if err := c.do(ctx, http.MethodPost, p, nil, req, &plan); err != nil {
		return nil, err
	}
	return &plan, nil
}

func (c *Client) Deploy(ctx context.Context, req *paved.DeployRequest) (*paved.Deployment, error) {
	p, err := path("/api/apps/%s/envs/%s/deployments", req.App, req.Env)
	if err != nil {
		return nil, err
	}
	var d paved.Deployment
	if err := c.do(ctx, http.MethodPost, p, nil, req, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func (c *Client) GetDeployment(ctx context.Context, id string) (*paved.Deployment, error) {
	p, err := path("/api/deployments/%s", id)
	if err != nil {
		return nil, err
	}
	var d paved.Deployment
	if err := c.do(ctx, http.MethodGet, p, nil, nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func (c *Client) ListDeployments(ctx context.Context, f paved.DeploymentFilter) ([]paved.Deployment, error) {
	q := url.Values{}
	for k, v := range map[string]string{"app": f.App, "env": f.Env} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.EnvID != "" || f.Runner != "" || f.FinishedAfter != nil {
		return nil, paved.Errorf(paved.EINVALID, "the API lists deployments by app, env, status, since, before and limit only")
	}
	for _, st := range f.Statuses {
		q.Add("status", string(st))
	}
	if f.CreatedSince != nil {
		q.Set("since", f.CreatedSince.UTC().Format(time.RFC3339Nano))
	}
	if f.CreatedBefore != nil {
		q.Set("before", f.CreatedBefore.UTC().Format(time.RFC3339Nano))
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var l list[paved.Deployment]
	return l.Items, c.do(ctx, http.MethodGet, "/api/deployments", q, nil, &l)
}

func (c *Client) Events(ctx context.Context, id string, after int64) ([]paved.Event, error) {
	p, err := path("/api/deployments/%s/events", id)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if after > 0 {
		q.Set("after", strconv.FormatInt(after, 10))
	}
	var l list[paved.Event]
	return l.Items, c.do(ctx, http.MethodGet, p, q, nil, &l)
}

func (c *Client) Rollback(ctx context.Context, id string) (*paved.Deployment, error) {
	p, err := path("/api/deployments/%s/rollback", id)
	if err != nil {
		return nil, err
	}
	var d paved.Deployment
	if err := c.do(ctx, http.MethodPost, p, nil, nil, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func (c *Client) Promote(ctx context.Context, app, from, to string) (*paved.Deployment, error) {
	p, err := path("/api/apps/%s/envs/%s/promote", app, from)
	if err != nil {
		return nil, err
	}
	var d paved.Deployment
	if err := c.do(ctx, http.MethodPost, p, nil, PromoteRequest{To: to}, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

func (c *Client) ListResources(ctx context.Context, app, env string) ([]paved.Resource, error) {
	p, err := path("/api/apps/%s/envs/%s/resources", app, env)
	if err != nil {
		return nil, err
	}
	var l list[paved.Resource]
	return l.Items, c.do(ctx, http.MethodGet, p, nil, nil, &l)
}

func (c *Client) Outputs(ctx context.Context, app, env string, uid paved.ResourceUID, reveal bool) (map[string]any, error) {
	p, err := path("/api/apps/%s/envs/%s/resources/%s/outputs", app, env, string(uid))
	if err != nil {
		return nil, err
	}
	var q url.Values
	if reveal {
		q = url.Values{"reveal": {"true"}}
	}
	var out map[string]any
	if err := c.do(ctx, http.MethodGet, p, q, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// PruneResources deprovisions the environment's orphaned resources.
func (c *Client) PruneResources(ctx context.Context, app, env string, opt paved.PruneOptions) (*paved.PruneResult, error) {
	p, err := path("/api/apps/%s/envs/%s/resources/prune", app, env)
	if err != nil {
		return nil, err
	}
	var out paved.PruneResult
	if err := c.do(ctx, http.MethodPost, p, nil, opt, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) ListAudit(ctx context.Context, f paved.AuditFilter) ([]paved.AuditEntry, error) {
	q := url.Values{}
	if f.Actor != "" {
		q.Set("actor", f.Actor)
	}
	if f.Action != "" {
		q.Set("action", f.Action)
	}
	if f.Since != nil {
		q.Set("since", f.Since.UTC().Format(time.RFC3339Nano))
	}
	if f.Before != nil {
		q.Set("before", f.Before.UTC().Format(time.RFC3339Nano))
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var l list[paved.AuditEntry]
	return l.Items, c.do(ctx, http.MethodGet, "/api/audit", q, nil, &l)
}

func (c *Client) RegisterTarget(ctx context.Context, t *paved.TargetInfo) (*paved.TargetInfo, error) {
	var out paved.TargetInfo
	if err := c.do(ctx, http.MethodPost, "/api/targets", nil, t, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) ListTargets(ctx context.Context) ([]paved.TargetInfo, error) {
	var l list[paved.TargetInfo]
	return l.Items, c.do(ctx, http.MethodGet, "/api/targets", nil, nil, &l)
}

func (c *Client) ProbeTarget(ctx context.Context, name string) (*paved.ProbeResult, error) {
	p, err := path("/api/targets/%s/probe", name)
	if err != nil {
		return nil, err
	}
	var h paved.ProbeResult
	if err := c.do(ctx, http.MethodPost, p, nil, nil, &h); err != nil {
		return nil, err
	}
	return &h, nil
}

func (c *Client) EnvironmentStatus(ctx context.Context, app, env string) (*paved.EnvironmentStatus, error) {
	p, err := path("/api/apps/%s/envs/%s/status", app, env)
	if err != nil {
		return nil, err
	}
	var st paved.EnvironmentStatus
	if err := c.do(ctx, http.MethodGet, p, nil, nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

func (c *Client) ProbeDefinitions(ctx context.Context, ids []string) ([]paved.ProbeResult, error) {
	var l list[paved.ProbeResult]
	return l.Items, c.do(ctx, http.MethodPost, "/api/definitions/probe", nil, ProbeDefinitionsRequest{IDs: ids}, &l)
}

// FollowEvents follows a deployment's event stream (StreamEvents) and
// returns the deployment as it ended.
func (c *Client) FollowEvents(ctx context.Context, id string, after int64, send func(paved.Event) error) (*paved.Deployment, error) {
	if err := c.StreamEvents(ctx, id, after, send); err != nil {
		return nil, err
	}
	return c.GetDeployment(ctx, id)
}

// StreamEvents calls fn with each event of a deployment after seq after, in
// order, as they happen, and returns nil once the deployment has finished
// and every event was delivered. A broken connection is resumed where it
// stopped (Last-Event-ID); an error from fn ends the stream and is returned.
func (c *Client) StreamEvents(ctx context.Context, id string, after int64, fn func(paved.Event) error) error {
	p, err := path("/api/deployments/%s/events", id)
	if err != nil {
		return err
	}
	failures := 0
	for {
		progressed, err := c.streamOnce(ctx, p, &after, fn)
		var broken brokenStream
		if !errors.As(err, &broken) {
			return err
		}
		if progressed {
			failures = 0
		}
		failures++
		if failures > c.retries {
			return broken.err
		}
		wait := c.backoff << min(failures-1, 5)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// brokenStream is a stream that ended before its "end" event: worth
// resuming.
type brokenStream struct{ err error }

func (b brokenStream) Error() string { return b.err.Error() }
func (b brokenStream) Unwrap() error { return b.err }

func (c *Client) streamOnce(ctx context.Context, p string, after *int64, fn func(paved.Event) error) (progressed bool, err error) {
	req, err := c.newRequest(ctx, http.MethodGet, p, nil, nil)
	if err != nil {
		return false, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if *after > 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(*after, 10))
	}
	resp, err := c.send(req)
	if err != nil {
		if paved.ErrorCode(err) == paved.EUNAVAILABLE {
			return false, brokenStream{err}
		}
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		err := c.responseError(resp)
		if paved.ErrorCode(err) == paved.EUNAVAILABLE {
			return false, brokenStream{err}
		}
		return false, err
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		return false, paved.Errorf(paved.EUNAVAILABLE, "the paved server at %s answered %q, not an event stream", c.base, mt)
	}

	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), maxDeployBody)
	var event, data string
	for sc.Scan() {
		line := sc.Text()
		if line != "" {
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "event":
				event = value
			case "data":
				if data != "" {
					data += "\n"
				}
				data += value
			}
			continue
		}
		// A blank line dispatches the event.
		switch event {
		case "end":
			return progressed, nil
		case "error":
			var er errorResponse
			if err := json.Unmarshal([]byte(data), &er); err != nil || er.Error.Code == "" {
				return progressed, paved.Errorf(paved.EINTERNAL, "the event stream reported an error it could not describe")
			}
			return progressed, &paved.Error{Code: er.Error.Code, Message: er.Error.Message}
		case "", "message":
			if data == "" {
				break
			}
			var e paved.Event
			if err := json.Unmarshal([]byte(data), &e); err != nil {
				return progressed, paved.Errorf(paved.EUNAVAILABLE, "the event stream sent an event that is not paved's JSON: %w", err)
			}
			if e.Seq > *after {
				if err := fn(e); err != nil {
					return progressed, err
				}
				*after, progressed = e.Seq, true
			}
		}
		event, data = "", ""
	}
	if ctx.Err() != nil {
		return progressed, ctx.Err()
	}
	err = sc.Err()
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return progressed, brokenStream{paved.Errorf(paved.EUNAVAILABLE, "the event stream from %s broke before the deployment ended: %w", c.base, err)}
}
