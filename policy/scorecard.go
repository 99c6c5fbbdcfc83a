package policy

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"paved.dev/paved"
)

//go:embed scorecards/mvp.rego
var mvpScorecard string

//go:embed scorecards/production-ready.rego
var productionReadyScorecard string

// ScorecardPackage is where every scorecard's package lives:
// package paved.scorecards.<name>.
const ScorecardPackage = "paved.scorecards."

// Limits of a scorecard's output.
const (
	MaxRules     = 200
	MaxRuleTitle = 200
	MaxRuleHint  = 1000
)

// BuiltinScorecards returns the built-in scorecards, version 0; a stored
// scorecard of the same id takes one's place.
func BuiltinScorecards() []paved.Scorecard {
	return []paved.Scorecard{
		{ID: "mvp", Owner: paved.RoleAdmin, Module: mvpScorecard,
			Description: "on the paved road: an owner and a deployment (bronze); weekly deployments, staging and previews (silver); a rollback, platform definitions only, no denial (gold)"},
		{ID: "production-ready", Owner: paved.RoleAdmin, Module: productionReadyScorecard,
			Description: "production readiness needs its bar, silver: owner and on-call, staging, no denial (bronze); a rollback, platform definitions, healthy, costed (silver); weekly, signed off, no waiver or warning (gold)"},
	}
}

// scorecardKey identifies a prepared scorecard by what its query depends
// on, apart from policies' keys.
func scorecardKey(sc paved.Scorecard) string {
	return key(paved.Policy{ID: "scorecard\x00" + sc.ID, Module: sc.Module})
}

func (e *Engine) prepareScorecard(ctx context.Context, sc paved.Scorecard) (*prepared, error) {
	k := scorecardKey(sc)
	e.mu.Lock()
	pp := e.prepared[k]
	e.mu.Unlock()
	if pp != nil {
		return pp, nil
	}
	what := "scorecard " + sc.ID
	switch {
	case sc.ID == "":
		return nil, paved.Errorf(paved.EINVALID, "id: a scorecard needs an id")
	case len(sc.Module) > MaxModule:
		return nil, paved.Errorf(paved.EINVALID, "%s: module: %d bytes, at most %d", what, len(sc.Module), MaxModule)
	case strings.TrimSpace(sc.Module) == "":
		return nil, paved.Errorf(paved.EINVALID, "%s: module: empty; give the Rego source", what)
	}
	m, err := ast.ParseModuleWithOpts(sc.ID+".rego", sc.Module, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return nil, locateIn(what, err)
	}
	pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
	if !strings.HasPrefix(pkg, ScorecardPackage) {
		return nil, paved.Errorf(paved.EINVALID, "%s: module: package %s is not a scorecard's; write package %s<name>", what, pkg, ScorecardPackage)
	}
	q, err := rego.New(
		rego.Query(m.Package.Path.String()),
		rego.ParsedModule(m),
		rego.Capabilities(capabilities),
		rego.StrictBuiltinErrors(true),
	).PrepareForEval(ctx)
	if err != nil {
		return nil, locateIn(what, err)
	}
	pp = &prepared{policy: paved.Policy{ID: sc.ID, Owner: sc.Owner}, query: q}
	e.mu.Lock()
	if len(e.prepared) > 4096 {
		clear(e.prepared)
	}
	e.prepared[k] = pp
	e.mu.Unlock()
	return pp, nil
}

// CheckScorecard compiles a scorecard and evaluates it over empty facts:
// a module that does not compile, or whose rules are not of the shape
// {level, title, pass, hint}, is refused naming the line or the rule.
func (e *Engine) CheckScorecard(ctx context.Context, sc paved.Scorecard) error {
	_, err := e.EvaluateScorecard(ctx, sc, &paved.ScorecardFacts{})
	return err
}

// EvaluateScorecard runs a scorecard over an app's facts, bounded by the
// engine's timeout, and returns its rules by level and id.
func (e *Engine) EvaluateScorecard(ctx context.Context, sc paved.Scorecard, facts *paved.ScorecardFacts) (*paved.ScorecardEvaluation, error) {
	pp, err := e.prepareScorecard(ctx, sc)
	if err != nil {
		return nil, err
	}
	in, err := factsInput(facts)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	rs, err := pp.query.Eval(ctx, rego.EvalParsedInput(in))
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return nil, paved.Errorf(paved.EUNAVAILABLE, "scorecard %s (owned by %s) ran longer than %v and was stopped: its owner must fix it", sc.ID, sc.Owner, e.timeout)
	case err != nil:
		return nil, paved.Errorf(paved.EINVALID, "scorecard %s (owned by %s) failed: %s", sc.ID, sc.Owner, err)
	}
	var doc map[string]any
	if len(rs) > 0 && len(rs[0].Expressions) > 0 {
		doc, _ = rs[0].Expressions[0].Value.(map[string]any)
	}
	return readEvaluation(sc.ID, doc)
}

// factsInput is the scorecards' input document: {"facts": ...}, in the
// JSON form the API shows.
func factsInput(facts *paved.ScorecardFacts) (ast.Value, error) {
	facts.Complete()
	b, err := json.Marshal(facts)
	if err != nil {
		return nil, paved.Errorf(paved.EINTERNAL, "scorecard input: %v", err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, paved.Errorf(paved.EINTERNAL, "scorecard input: %v", err)
	}
	return ast.InterfaceToValue(map[string]any{"facts": v})
}

// readEvaluation reads a scorecard's document: rules (an object of rule
// id to {level, title, pass, hint}), and optionally title and bar.
func readEvaluation(id string, doc map[string]any) (*paved.ScorecardEvaluation, error) {
	bad := func(format string, args ...any) error {
		return paved.Errorf(paved.EINVALID, "scorecard %s: %s", id, fmt.Sprintf(format, args...))
	}
	ev := &paved.ScorecardEvaluation{Rules: []paved.ScorecardRule{}}
	if t, ok := doc["title"]; ok {
		s, ok := t.(string)
		if !ok || len(s) > MaxRuleTitle {
			return nil, bad("title: want a string of at most %d bytes", MaxRuleTitle)
		}
		ev.Title = s
	}
	if b, ok := doc["bar"]; ok {
		s, _ := b.(string)
		if !paved.ScorecardLevel(s).Valid() {
			return nil, bad("bar: %v is not bronze, silver or gold", b)
		}
		ev.Bar = paved.ScorecardLevel(s)
	}
	raw, ok := doc["rules"].(map[string]any)
	switch {
	case !ok || len(raw) == 0:
		return nil, bad("rules: none; define rules[\"rule-id\"] := {\"level\": \"bronze\", \"title\": ..., \"pass\": ..., \"hint\": ...} (a rule reading a fact that does not exist is undefined: docs/scorecards.md lists the facts)")
	case len(raw) > MaxRules:
		return nil, bad("rules: %d, at most %d", len(raw), MaxRules)
	}
	for _, rid := range slices.Sorted(maps.Keys(raw)) {
		obj, ok := raw[rid].(map[string]any)
		if !ok {
			return nil, bad("rules.%s: want an object {level, title, pass, hint}", rid)
		}
		if err := paved.ValidateName("rule id", rid); err != nil {
			return nil, bad("rules.%s: %s", rid, paved.ErrorMessage(err))
		}
		r := paved.ScorecardRule{ID: rid}
		level, _ := obj["level"].(string)
		if r.Level = paved.ScorecardLevel(level); !r.Level.Valid() {
			return nil, bad("rules.%s.level: %v is not bronze, silver or gold", rid, obj["level"])
		}
		if r.Title, ok = obj["title"].(string); !ok || r.Title == "" || len(r.Title) > MaxRuleTitle {
			return nil, bad("rules.%s.title: want a string of 1 to %d bytes", rid, MaxRuleTitle)
		}
		if r.Pass, ok = obj["pass"].(bool); !ok {
			return nil, bad("rules.%s.pass: %v is not true or false (a fact the rule reads may be missing)", rid, obj["pass"])
		}
		if h, ok := obj["hint"]; ok {
			if r.Hint, ok = h.(string); !ok || len(r.Hint) > MaxRuleHint {
				return nil, bad("rules.%s.hint: want a string of at most %d bytes", rid, MaxRuleHint)
			}
		}
		for k := range obj {
			if !slices.Contains([]string{"level", "title", "pass", "hint"}, k) {
				return nil, bad("rules.%s: unknown field %q; a rule has level, title, pass and hint", rid, k)
			}
		}
		ev.Rules = append(ev.Rules, r)
	}
	paved.SortRules(ev.Rules)
	return ev, nil
}

var _ paved.ScorecardEvaluator = (*Engine)(nil)
