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
	for _, f := range p.Findings {
		fmt.Fprintf(out, "%s %s: %s\n", f.Level, f.Gate, f.Message)
	}
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
