// Package amqp is the paved driver that gives each resource its own vhost and
// user on a shared RabbitMQ server, through the management HTTP API.
package amqp

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/driver/attempt"
	"paved.dev/paved/driver/naming"
	"paved.dev/paved/driver/retry"
)

// Driver provisions RabbitMQ vhosts. It is safe for concurrent use.
type Driver struct {
	run    attempt.Runner
	client *http.Client
}

var (
	_ paved.Driver         = (*Driver)(nil)
	_ paved.InputValidator = (*Driver)(nil)
	_ paved.Deprovisioner  = (*Driver)(nil)
	_ paved.Prober         = (*Driver)(nil)
	_ paved.OutputDeclarer = (*Driver)(nil)
)

// New returns a driver that logs to logger (nil for none).
func New(logger *slog.Logger) *Driver {
	transport := &http.Transport{
		DialContext:           (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		TLSHandshakeTimeout:   2 * time.Second,
		ResponseHeaderTimeout: 10 * time.Second,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       30 * time.Second,
	}
	return &Driver{run: attempt.NewRunner(logger, transient), client: &http.Client{Transport: transport, Timeout: 15 * time.Second}}
}

// ValidateInputs checks a definition's driver_inputs.
func (d *Driver) ValidateInputs(m map[string]any) error {
	_, err := parseInputs(m)
	return err
}

// DeclaredOutputs lists the outputs and marks the secret ones.
func (d *Driver) DeclaredOutputs(map[string]any) []paved.OutputSpec {
	return []paved.OutputSpec{
		{Name: "host", Description: "AMQP host name"},
		{Name: "port", Description: "AMQP port"},
		{Name: "vhost", Description: "the resource's virtual host"},
		{Name: "username", Description: "user with configure, write and read rights on the vhost"},
		{Name: "password", Secret: true, Description: "the user's password"},
		{Name: "uri", Secret: true, Description: "amqp://username:password@host:port/vhost"},
	}
}

// maxName bounds vhost and user names; RabbitMQ allows longer, 63 keeps
// them alike to the other drivers' names.
const maxName = 63

// layout names the driver's space on the server and its limits.
var layout = naming.Layout{Driver: "amqp", SpaceKey: "vhost", SpaceMax: maxName, UserMax: maxName}

// Provision creates or updates the resource's vhost, user and the user's
// rights on the vhost: provisioning again returns the same outputs.
func (d *Driver) Provision(ctx context.Context, req *paved.ResourceRequest) (*paved.ResourceResult, error) {
	in, err := requestInputs(req)
	if err != nil {
		return nil, err
	}
	st := layout.Load(req)
	if err := st.Verify(); err != nil {
		return nil, err
	}
	if st.Password == "" {
		// New resource, or its state was lost: the user gets a new password.
		st.Password = newPassword()
	}
	description := fmt.Sprintf("paved: %s of app %s, environment %s", req.UID, req.Context.App, req.Context.Env)
	err = d.withAdmin(ctx, in, req.Log, func(ctx context.Context) error {
		if err := d.call(ctx, in, http.MethodPut, "vhosts/"+url.PathEscape(st.Space), map[string]any{"description": description}, nil); err != nil {
			return fmt.Errorf("create vhost %s: %w", st.Space, err)
		}
		if err := d.call(ctx, in, http.MethodPut, "users/"+url.PathEscape(st.Username), map[string]any{"password": st.Password, "tags": ""}, nil); err != nil {
			return fmt.Errorf("create user %s: %w", st.Username, err)
		}
		perms := map[string]any{"configure": ".*", "write": ".*", "read": ".*"}
		if err := d.call(ctx, in, http.MethodPut, "permissions/"+url.PathEscape(st.Space)+"/"+url.PathEscape(st.Username), perms, nil); err != nil {
			return fmt.Errorf("give user %s rights on vhost %s: %w", st.Username, st.Space, err)
		}
		return nil
	}, st.Password)
	if err != nil {
		return nil, err
	}
	logf(req.Log, "vhost %s and user %s are ready", st.Space, st.Username)
	return &paved.ResourceResult{
		Outputs: map[string]any{
			"host":     in.Host,
			"port":     in.Port,
			"vhost":    st.Space,
			"username": st.Username,
			"password": st.Password,
			"uri":      fmt.Sprintf("amqp://%s:%s@%s/%s", st.Username, st.Password, in.addr(), url.PathEscape(st.Space)),
		},
		State: st.State(),
	}, nil
}

// Deprovision deletes the resource's vhost, with its queues and exchanges,
// and its user; RabbitMQ closes their connections.
func (d *Driver) Deprovision(ctx context.Context, req *paved.ResourceRequest) error {
	in, err := requestInputs(req)
	if err != nil {
		return err
	}
	st := layout.Load(req)
	if err := st.Verify(); err != nil {
		return err
	}
	return d.withAdmin(ctx, in, req.Log, func(ctx context.Context) error {
		for _, path := range []string{"vhosts/" + url.PathEscape(st.Space), "users/" + url.PathEscape(st.Username)} {
			err := d.call(ctx, in, http.MethodDelete, path, nil, nil)
			var he *httpError
			if err != nil && !(errors.As(err, &he) && he.status == http.StatusNotFound) {
				return fmt.Errorf("delete %s: %w", path, err)
			}
		}
		logf(req.Log, "deleted vhost %s and user %s", st.Space, st.Username)
		return nil
	})
}

// Probe tells whether the management API answers, the user is an
// administrator and the AMQP port given to workloads accepts connections.
func (d *Driver) Probe(ctx context.Context, m map[string]any) error {
	in, err := parseInputs(m)
	if err != nil {
		return err
	}
	err = d.withAdmin(ctx, in, nil, func(ctx context.Context) error { return nil })
	if err != nil {
		return err
	}
	conn, err := (&net.Dialer{Timeout: 2 * time.Second}).DialContext(ctx, "tcp", in.addr())
	if err != nil {
		return paved.Errorf(paved.EUNAVAILABLE, "amqp: the management API answers but the AMQP port %s does not: %v; check the definition's host and port", in.addr(), err)
	}
	conn.Close()
	return nil
}

func requestInputs(req *paved.ResourceRequest) (*inputs, error) {
	if req.Definition == nil {
		return nil, paved.Errorf(paved.EINVALID, "amqp: resource %s has no definition to read driver_inputs from", req.UID)
	}
	return parseInputs(req.Definition.Inputs)
}

// withAdmin makes sure the inputs' user is an administrator, then runs fn,
// trying again on passing failures, and turns the last error into one a
// platform engineer can act on, without the admin password or the other
// secrets given.
func (d *Driver) withAdmin(ctx context.Context, in *inputs, reqLog func(string), fn func(context.Context) error, secrets ...string) error {
	call := attempt.Call{
		Where:   "amqp: management API at " + in.api(),
		Log:     reqLog,
		Secrets: append(secrets, in.Password),
		Explain: func(f attempt.Failure) error { return explain(f, in) },
	}
	return d.run.Do(ctx, call, func(ctx context.Context) error {
		var me struct {
			Name string `json:"name"`
			Tags any    `json:"tags"` // a list since 3.9, a comma-separated string before
		}
		if err := d.call(ctx, in, http.MethodGet, "whoami", nil, &me); err != nil {
			return err
		}
		if tags := tagList(me.Tags); !slices.Contains(tags, "administrator") {
			return paved.Errorf(paved.EFORBIDDEN, "rabbitmq user %q at %s has tags [%s], not administrator: run rabbitmqctl set_user_tags %s administrator, or use an administrator in the definition",
				in.Username, in.api(), strings.Join(tags, ", "), in.Username)
		}
		return fn(ctx)
	})
}

func tagList(v any) []string {
	var tags []string
	switch v := v.(type) {
	case string:
		for _, t := range strings.Split(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				tags = append(tags, t)
			}
		}
	case []any:
		for _, t := range v {
			if s, ok := t.(string); ok {
				tags = append(tags, s)
			}
		}
	}
	return tags
}

// httpError is a management API answer other than 2xx.
type httpError struct {
	status int
	reason string
}

func (e *httpError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.status, http.StatusText(e.status), e.reason)
}

// call sends a JSON request to the management API and decodes a JSON answer
// into out, if given.
func (d *Driver) call(ctx context.Context, in *inputs, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, in.ManagementURL.String()+"/api/"+path, rd)
	if err != nil {
		return err
	}
	req.SetBasicAuth(in.Username, in.Password)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e struct {
			Error  string `json:"error"`
			Reason string `json:"reason"`
		}
		reason := strings.TrimSpace(string(data))
		if json.Unmarshal(data, &e) == nil && (e.Reason != "" || e.Error != "") {
			reason = strings.TrimSpace(e.Error + " " + e.Reason)
		}
		if len(reason) > 300 {
			reason = reason[:300] + "..."
		}
		return &httpError{status: resp.StatusCode, reason: reason}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: the answer is not JSON: %w", method, path, err)
		}
	}
	return nil
}

// transient tells the failures worth another try: the network, and a server
// or proxy that is starting or overloaded.
func transient(err error) bool {
	var he *httpError
	if errors.As(err, &he) {
		return he.status == http.StatusBadGateway || he.status == http.StatusServiceUnavailable ||
			he.status == http.StatusGatewayTimeout || he.status == http.StatusTooManyRequests
	}
	return retry.Network(err)
}

func explain(f attempt.Failure, in *inputs) error {
	var he *httpError
	errors.As(f.Err, &he)
	switch {
	case he != nil && he.status == http.StatusUnauthorized:
		return f.Errorf(paved.EUNAUTHORIZED, "authentication failed for user %q at %s: check the definition's username/password", in.Username, in.api())
	case he != nil && he.status == http.StatusForbidden:
		return f.Errorf(paved.EFORBIDDEN, "rabbitmq user %q at %s lacks a right: %s; give it the administrator tag", in.Username, in.api(), f.Cause)
	case transient(f.Err):
		return f.Errorf(paved.EUNAVAILABLE, "rabbitmq management API at %s is unavailable after %d tries: %s; check the definition's management_url, that the server is running and that the rabbitmq_management plugin is enabled", in.api(), f.Tries, f.Cause)
	default:
		return f.Errorf(paved.EINTERNAL, "rabbitmq management API at %s: %s", in.api(), f.Cause)
	}
}

func logf(log func(string), format string, args ...any) {
	if log != nil {
		log(fmt.Sprintf("amqp: "+format, args...))
	}
}

// newPassword returns 26 random characters from [A-Z2-7]: 130 bits that need
// no quoting in a URI.
func newPassword() string { return rand.Text() }
