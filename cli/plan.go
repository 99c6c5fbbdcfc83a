package cli

import (
	"fmt"
	"io"

	"paved.dev/paved"
)

// printPlan shows a plan for people: what changes, resource by resource and
// object by object, with the reasons and diffs; unchanged items are counted.
func printPlan(out io.Writer, p *paved.Plan) {
	base := p.Base
	if base == "" {
		base = "nothing deployed yet"
	}
	fmt.Fprintf(out, "plan (%s) for %s/%s (%s, target %s) against %s\n", p.Kind, p.App, p.Env, p.EnvType, p.Target, base)
	if !p.Live && p.LiveNote != "" {
		fmt.Fprintf(out, "  note: %s\n", p.LiveNote)
	}
	unchanged := 0
	fmt.Fprintln(out, "resources:")
	for _, r := range p.Resources {
		if r.Action == paved.PlanUnchanged {
			unchanged++
			continue
		}
		fmt.Fprintf(out, "  %s %s %s  definition %s\n", sign(r.Action), r.Action, r.UID, r.Definition)
		if r.Reason != "" {
			fmt.Fprintf(out, "      %s\n", r.Reason)
		}
	}
	if unchanged > 0 {
		fmt.Fprintf(out, "  (%d unchanged)\n", unchanged)
	}
	unchanged = 0
	fmt.Fprintln(out, "objects:")
	for _, o := range p.Objects {
		if o.Action == paved.PlanUnchanged {
			unchanged++
			continue
		}
		fmt.Fprintf(out, "  %s %s %s\n", sign(o.Action), o.Action, o.Ref)
		for _, d := range o.Drift {
			fmt.Fprintf(out, "      drifted on the target: %s\n", d)
		}
		if o.Diff != "" {
			fmt.Fprintln(out, indent(o.Diff, "      "))
		}
	}
	if unchanged > 0 {
		fmt.Fprintf(out, "  (%d unchanged)\n", unchanged)
	}
	if line := costLine(p); line != "" {
		fmt.Fprintln(out, line)
	}
	for _, f := range p.Findings {
		rule := f.Gate
		if f.Rule != "" {
			rule += " " + f.Rule
		}
		if f.Owner != "" {
			rule += " (" + string(f.Owner) + ")"
		}
		fmt.Fprintf(out, "%s %s: %s\n", f.Level, rule, f.Message)
	}
}

// costLine says what the plan changes in the environment's estimated
// monthly cost: "cost: +12.40 USD/month (environment total 85.10, an
// estimate)".
func costLine(p *paved.Plan) string {
	if p.Cost == nil {
		return ""
	}
	before := 0.0
	if p.CostBefore != nil {
		before = *p.CostBefore
	}
	line := fmt.Sprintf("cost: %+.2f %s/month (environment total %.2f, an estimate)", p.Cost.Monthly-before, p.Cost.Currency, p.Cost.Monthly)
	for _, n := range p.Cost.Notes {
		line += "\n  " + n
	}
	return line
}

func sign(a paved.PlanAction) string {
	switch a {
	case paved.PlanCreate:
		return "+"
	case paved.PlanDelete:
		return "-"
	case paved.PlanOrphan:
		return "!"
	}
	return "~"
}
