// Package policy evaluates policy as code: Rego modules (OPA's v1 Rego
// API) over what a deployment is about to do, before anything is
// provisioned. Deployment policies see the whole deployment; Conftest
// policies see each rendered object, as Conftest runs them.
package policy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"paved.dev/paved"
)

// Limits of what a policy may be and do.
const (
	MaxModule = 256 << 10
	// Timeout bounds one policy's evaluation of one deployment (all its
	// objects, for a Conftest policy).
	Timeout = 2 * time.Second
)

// Engine prepares each policy version once and evaluates it as often as
// asked. It is safe for concurrent use.
type Engine struct {
	mu       sync.Mutex
	prepared map[string]*prepared
	timeout  time.Duration
}

// New returns an Engine; timeout 0 means Timeout.
func New(timeout time.Duration) *Engine {
	if timeout <= 0 {
		timeout = Timeout
	}
	return &Engine{prepared: map[string]*prepared{}, timeout: timeout}
}

// prepared is a compiled policy, its query ready.
type prepared struct {
	policy paved.Policy
	query  rego.PreparedEvalQuery
}

// key identifies what a prepared query depends on: the policy's id (its
// findings name it), owner, kind and module, not the version a client
// sends.
func key(p paved.Policy) string {
	h := sha256.Sum256([]byte(p.ID + "\x00" + string(p.Owner) + "\x00" + string(p.Kind) + "\x00" + p.Module))
	return hex.EncodeToString(h[:])
}

// capabilities are the built-in functions policies may call: all of
// OPA's but those that reach out of the server or vary between runs
// (http.send, net.*, opa.runtime, rand.*), so that a policy judges what it
// is given and nothing else.
var capabilities = func() *ast.Capabilities {
	c := ast.CapabilitiesForThisVersion()
	var keep []*ast.Builtin
	for _, b := range c.Builtins {
		if b.Name == "http.send" || strings.HasPrefix(b.Name, "net.") || b.Name == "opa.runtime" || strings.HasPrefix(b.Name, "rand.") {
			continue
		}
		keep = append(keep, b)
	}
	c.Builtins = keep
	return c
}()

// Check compiles a policy and says what is wrong with it: the error names
// the line and column of a module that does not compile.
func (e *Engine) Check(ctx context.Context, p paved.Policy) error {
	_, err := e.prepare(ctx, p)
	return err
}

// parse reads a module as Rego v1, or else as v0 (older Conftest
// policies); the error is the v1 parser's.
func parse(p paved.Policy) (*ast.Module, error) {
	name := p.ID + ".rego"
	m, err := ast.ParseModuleWithOpts(name, p.Module, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err == nil {
		return m, nil
	}
	if m0, err0 := ast.ParseModuleWithOpts(name, p.Module, ast.ParserOptions{RegoVersion: ast.RegoV0}); err0 == nil {
		return m0, nil
	}
	return nil, locate(p, err)
}

// locate turns Rego errors into one that names the policy, line and column.
func locate(p paved.Policy, err error) error { return locateIn("policy "+p.ID, err) }

// locateIn is locate for any module: what names it ("scorecard mvp").
func locateIn(what string, err error) error {
	var errs ast.Errors
	if errors.As(err, &errs) && len(errs) > 0 {
		var parts []string
		for _, e := range errs {
			if e.Location != nil {
				parts = append(parts, fmt.Sprintf("line %d, column %d: %s", e.Location.Row, e.Location.Col, e.Message))
			} else {
				parts = append(parts, e.Message)
			}
		}
		return paved.Errorf(paved.EINVALID, "%s: module: %s", what, strings.Join(parts, "; "))
	}
	return paved.Errorf(paved.EINVALID, "%s: module: %s", what, err)
}

func (e *Engine) prepare(ctx context.Context, p paved.Policy) (*prepared, error) {
	k := key(p)
	e.mu.Lock()
	pp := e.prepared[k]
	e.mu.Unlock()
	if pp != nil {
		return pp, nil
	}
	switch {
	case p.ID == "":
		return nil, paved.Errorf(paved.EINVALID, "id: a policy needs an id")
	case !p.Kind.Valid():
		return nil, paved.Errorf(paved.EINVALID, "policy %s: kind: %q is not one of deployment, conftest", p.ID, p.Kind)
	case len(p.Module) > MaxModule:
		return nil, paved.Errorf(paved.EINVALID, "policy %s: module: %d bytes, at most %d", p.ID, len(p.Module), MaxModule)
	case strings.TrimSpace(p.Module) == "":
		return nil, paved.Errorf(paved.EINVALID, "policy %s: module: empty; give the Rego source", p.ID)
	}
	m, err := parse(p)
	if err != nil {
		return nil, err
	}
	isMain := m.Package.Path.String() == "data.main"
	switch {
	case p.Kind == paved.PolicyConftest && !isMain:
		return nil, paved.Errorf(paved.EINVALID, "policy %s: a conftest policy is package main, as Conftest reads it; this one is package %s",
			p.ID, strings.TrimPrefix(m.Package.Path.String(), "data."))
	case p.Kind == paved.PolicyDeployment && isMain:
		return nil, paved.Errorf(paved.EINVALID, "policy %s: package main is a Conftest policy (kind conftest); a deployment policy has a package of its own", p.ID)
	}
	q, err := rego.New(
		rego.Query(m.Package.Path.String()),
		rego.ParsedModule(m),
		rego.Capabilities(capabilities),
		// Conftest leaves a builtin's error undefined; deployment policies
		// are paved's own and fail loudly.
		rego.StrictBuiltinErrors(p.Kind == paved.PolicyDeployment),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, locate(p, err)
	}
	pp = &prepared{policy: p, query: q}
	e.mu.Lock()
	if len(e.prepared) > 4096 {
		clear(e.prepared) // versions replaced long ago
	}
	e.prepared[k] = pp
	e.mu.Unlock()
	return pp, nil
}

// Evaluate runs every policy over a deployment and returns their findings:
// a deployment policy once over the input document, a Conftest policy over
// each object. A policy that does not compile, fails or runs out of time
// is an error that names it.
func (e *Engine) Evaluate(ctx context.Context, policies []paved.Policy, in *paved.GateInput) ([]paved.Finding, error) {
	var doc ast.Value // converted once for every deployment policy
	var out []paved.Finding
	for _, p := range policies {
		pp, err := e.prepare(ctx, p)
		if err != nil {
			return nil, err
		}
		pctx, cancel := context.WithTimeout(ctx, e.timeout)
		var fs []paved.Finding
		switch p.Kind {
		case paved.PolicyConftest:
			fs, err = pp.conftest(pctx, in.Objects)
		default:
			if doc == nil {
				if doc, err = ast.InterfaceToValue(Input(in)); err != nil {
					cancel()
					return nil, paved.Errorf(paved.EINTERNAL, "policy input: %v", err)
				}
			}
			fs, err = pp.deployment(pctx, doc)
		}
		timedOut := errors.Is(pctx.Err(), context.DeadlineExceeded)
		cancel()
		switch {
		case timedOut:
			return nil, &paved.Error{Code: paved.EUNAVAILABLE, Err: &paved.PolicyFailure{Policy: p.ID, Owner: p.Owner, TimedOut: true},
				Message: fmt.Sprintf("policy %s (owned by %s) ran longer than %v and was stopped; the deployment was not judged: its owner must fix the policy", p.ID, p.Owner, e.timeout)}
		case err != nil:
			return nil, &paved.Error{Code: paved.EUNAVAILABLE, Err: &paved.PolicyFailure{Policy: p.ID, Owner: p.Owner},
				Message: fmt.Sprintf("policy %s (owned by %s) failed, so the deployment was not judged: %s", p.ID, p.Owner, err)}
		}
		out = append(out, fs...)
	}
	return out, nil
}

// deployment evaluates a deployment policy: its deny and warn rules, each
// a set of messages (strings, or objects with msg, and optionally rule and
// fix).
func (pp *prepared) deployment(ctx context.Context, doc ast.Value) ([]paved.Finding, error) {
	rs, err := pp.query.Eval(ctx, rego.EvalParsedInput(doc))
	if err != nil {
		return nil, err
	}
	var out []paved.Finding
	for _, r := range rs {
		for _, x := range r.Expressions {
			vals, _ := x.Value.(map[string]any)
			for _, rule := range []string{"deny", "warn"} {
				level := paved.FindingDeny
				if rule == "warn" {
					level = paved.FindingWarn
				}
				fs, err := pp.findings(vals, rule, level, "", false)
				if err != nil {
					return nil, err
				}
				out = append(out, fs...)
			}
		}
	}
	return out, nil
}

// conftest evaluates a Conftest policy over each object: rules deny,
// violation and warn (and deny_NAME, violation_NAME, warn_NAME), minus
// those an exception rule names for that object (Conftest's convention:
// exception contains ["NAME"] excepts deny_NAME).
func (pp *prepared) conftest(ctx context.Context, objects []paved.Object) ([]paved.Finding, error) {
	var out []paved.Finding
	for _, o := range objects {
		rs, err := pp.query.Eval(ctx, rego.EvalInput(map[string]any(o)))
		if err != nil {
			return nil, err
		}
		ref := o.Ref().String()
		for _, r := range rs {
			for _, x := range r.Expressions {
				vals, _ := x.Value.(map[string]any)
				excepted := exceptions(vals["exception"])
				for _, name := range slices.Sorted(maps.Keys(vals)) {
					level, ok := conftestRule(name)
					if !ok {
						continue
					}
					// Conftest: exception [""] excepts deny and violation
					// themselves; ["NAME"] excepts deny_NAME.
					_, suffix, _ := strings.Cut(name, "_")
					if excepted[suffix] && level == paved.FindingDeny {
						continue
					}
					fs, err := pp.findings(vals, name, level, ref, true)
					if err != nil {
						return nil, err
					}
					out = append(out, fs...)
				}
			}
		}
	}
	return out, nil
}

var (
	conftestDeny = regexp.MustCompile(`^(deny|violation)(_[a-zA-Z0-9]+)*$`)
	conftestWarn = regexp.MustCompile(`^warn(_[a-zA-Z0-9]+)*$`)
)

// conftestRule tells a Conftest rule by its name, as Conftest does.
func conftestRule(name string) (paved.FindingLevel, bool) {
	switch {
	case conftestDeny.MatchString(name):
		return paved.FindingDeny, true
	case conftestWarn.MatchString(name):
		return paved.FindingWarn, true
	}
	return "", false
}

// exceptions reads Conftest's exception rule: a set of lists of rule names.
func exceptions(v any) map[string]bool {
	out := map[string]bool{}
	sets, _ := v.([]any)
	for _, s := range sets {
		names, _ := s.([]any)
		for _, n := range names {
			if n, ok := n.(string); ok {
				out[n] = true
			}
		}
	}
	return out
}

// findings reads the messages of one rule. A Conftest rule's message is
// a string or an object with msg (one without is an error, as in
// Conftest); a boolean rule says nothing (Conftest ignores it).
func (pp *prepared) findings(vals map[string]any, rule string, level paved.FindingLevel, object string, conftest bool) ([]paved.Finding, error) {
	raw, ok := vals[rule]
	if !ok {
		return nil, nil
	}
	var msgs []any
	switch v := raw.(type) {
	case []any:
		msgs = v
	case nil:
	default:
		msgs = []any{v}
	}
	var out []paved.Finding
	for _, m := range msgs {
		f := paved.Finding{Gate: "policy", Rule: pp.policy.ID + "/" + rule, Level: level, Owner: pp.policy.Owner}
		switch v := m.(type) {
		case string:
			f.Message = v
		case map[string]any:
			s, ok := v["msg"].(string)
			if !ok && conftest {
				return nil, fmt.Errorf("rule %s: a message object has no msg field", rule)
			}
			if ok {
				f.Message = s
			} else {
				f.Message = fmt.Sprint(v)
			}
			if id, ok := v["rule"].(string); ok && id != "" {
				f.Rule = pp.policy.ID + "/" + id
			}
			if fix, ok := v["fix"].(string); ok && fix != "" {
				f.Message += " (fix: " + fix + ")"
			}
		case bool:
			if conftest || !v {
				continue
			}
			f.Message = rule
		default:
			f.Message = fmt.Sprint(v)
		}
		if object != "" {
			f.Message = object + ": " + f.Message
		}
		out = append(out, f)
	}
	return out, nil
}
