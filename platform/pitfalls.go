package platform

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"paved.dev/paved"
)

// neglectAfter is how long without feedback, or without a deployment of
// the pioneering team, before the program warns of user neglect.
const neglectAfter = 30 * 24 * time.Hour

// pitfalls computes the framework's pitfalls where the data allows:
// complexity, user neglect, a narrow developer focus, tool obsession.
func (p *Platform) pitfalls(f *programFacts) []paved.Pitfall {
	out := []paved.Pitfall{}
	add := func(kind, msg, fix string) { out = append(out, paved.Pitfall{Kind: kind, Message: msg, Fix: fix}) }
	deployed := len(f.usedEnvTypes) > 0

	// Complexity: what the platform offers that no app uses.
	if deployed {
		var unused []string
		for _, d := range f.definitions {
			if !f.usedDefs[d.ID] {
				unused = append(unused, d.ID)
			}
		}
		if len(unused) > 0 {
			add("complexity", fmt.Sprintf("%d definitions no environment uses: %s", len(unused), strings.Join(unused, ", ")),
				"remove what no team asked for (paved definitions delete ID), or find the team that needs it")
		}
		var types []string
		for _, d := range f.definitions {
			if !f.usedTypes[d.Type] && !slices.Contains(types, d.Type) {
				types = append(types, d.Type)
			}
		}
		if len(types) > 0 {
			slices.Sort(types)
			add("complexity", "resource types offered that no app uses: "+strings.Join(types, ", "),
				"keep the MVP to the representative stack; offer a type when a cohort needs it")
		}
		var envTypes []string
		// Previews are reaped, so the ephemeral type is not judged by
		// what exists now.
		for _, t := range []paved.EnvType{paved.EnvDevelopment, paved.EnvStaging} {
			if !f.usedEnvTypes[t] {
				envTypes = append(envTypes, string(t))
			}
		}
		if len(envTypes) > 0 {
			add("complexity", "environment types no app has deployed to: "+strings.Join(envTypes, ", "),
				"walk the golden paths with the pioneering team (dev, a preview, staging) before adding more")
		}
	}

	// User neglect.
	if f.lastFeedbk == nil || f.now.Sub(*f.lastFeedbk) > neglectAfter {
		when := "no feedback yet"
		if f.lastFeedbk != nil {
			when = "no feedback since " + f.lastFeedbk.UTC().Format(time.DateOnly)
		}
		add("user-neglect", when+" (30 days)", `ask the teams what is in their way; they answer with paved feedback "..." or on the portal`)
	}
	if f.pioneer != "" && f.pioneerLast != nil && f.now.Sub(*f.pioneerLast) > neglectAfter {
		add("user-neglect", fmt.Sprintf("the pioneering team %s has not deployed since %s", f.pioneer, f.pioneerLast.UTC().Format(time.DateOnly)),
			"talk to them: the MVP serves them first")
	}

	// A focus on developers alone.
	var missing []string
	for _, r := range signOffRoles {
		if f.roles[r] == 0 {
			missing = append(missing, string(r))
		}
	}
	if len(missing) > 0 {
		add("narrow-focus", "no "+strings.Join(missing, ", ")+" user", "invite the stakeholders from the start: paved user create NAME --role ROLE")
	}
	if f.stored == 0 {
		add("narrow-focus", "no policy of the platform's own (only the built-in packs)", "ask security, data and finance for their rules: paved policies apply -f DIR")
	}
	if !f.signedOff {
		add("narrow-focus", "no app has a stakeholder's sign-off", "have security, data and finance review an app: paved signoff --app APP")
	}

	// Tool obsession: what is configured but unused.
	var idle []string
	for _, t := range f.targets {
		if !f.usedTargets[t] {
			idle = append(idle, t)
		}
	}
	if len(idle) > 0 {
		add("tool-obsession", "targets no environment deploys to: "+strings.Join(idle, ", "),
			"connect what the pioneering team needs, not every tool: paved targets remove NAME")
	}
	drivers := map[string]bool{}
	for _, d := range f.definitions {
		if !f.usedDefs[d.ID] {
			drivers[d.Driver] = drivers[d.Driver] || false
		} else {
			drivers[d.Driver] = true
		}
	}
	var unusedDrivers []string
	for d, used := range drivers {
		if !used {
			unusedDrivers = append(unusedDrivers, d)
		}
	}
	if deployed && len(unusedDrivers) > 0 {
		slices.Sort(unusedDrivers)
		add("tool-obsession", "drivers configured in definitions that no environment uses: "+strings.Join(unusedDrivers, ", "),
			"integrate a driver when a representative app needs it")
	}
	return out
}
