package policy

import (
	"slices"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"paved.dev/paved"
)

// Rules lists a policy's rules as its findings name them (policy/rule):
// for a deployment policy, each deny and warn rule's "rule" (its head's
// name when the message does not give one); for a Conftest policy, its
// deny, violation and warn rules by name. Sorted by id, each once, with
// the fix a rule's message suggests when it is written out.
func Rules(p paved.Policy) ([]paved.PolicyRule, error) {
	m, err := parse(p)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{}
	var out []paved.PolicyRule
	for _, r := range m.Rules {
		name := r.Head.Ref().String()
		if len(r.Head.Ref()) > 0 {
			if v, ok := r.Head.Ref()[0].Value.(ast.Var); ok {
				name = string(v)
			}
		}
		level, ok := ruleLevel(p.Kind, name)
		if !ok {
			continue
		}
		rule := paved.PolicyRule{ID: p.ID + "/" + name, Level: level}
		if r.Head.Key != nil {
			if obj, ok := r.Head.Key.Value.(ast.Object); ok {
				if id, ok := stringAt(obj, "rule"); ok && id != "" {
					rule.ID = p.ID + "/" + id
				}
				rule.Fix, _ = stringAt(obj, "fix")
			}
		}
		if i, dup := seen[rule.ID]; dup {
			if out[i].Fix == "" {
				out[i].Fix = rule.Fix
			}
			continue
		}
		seen[rule.ID] = len(out)
		out = append(out, rule)
	}
	slices.SortFunc(out, func(a, b paved.PolicyRule) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func ruleLevel(kind paved.PolicyKind, name string) (paved.FindingLevel, bool) {
	if kind == paved.PolicyConftest {
		return conftestRule(name)
	}
	switch name {
	case "deny":
		return paved.FindingDeny, true
	case "warn":
		return paved.FindingWarn, true
	}
	return "", false
}

// stringAt reads a string literal of an object term.
func stringAt(obj ast.Object, key string) (string, bool) {
	t := obj.Get(ast.StringTerm(key))
	if t == nil {
		return "", false
	}
	s, ok := t.Value.(ast.String)
	return string(s), ok
}
