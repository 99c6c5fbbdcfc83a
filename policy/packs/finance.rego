# The finance pack: what an environment may cost. It reads the estimate
# (input.cost, present once finance applied a price list) and the team's
# budget.
package paved.finance

fmt(x) := sprintf("%.2f", [x])

deny contains {"rule": "fin-budget", "msg": sprintf("team %s would cost %s %s a month (this environment %s), beyond its budget of %s", [t.name, fmt(t.monthly), input.cost.currency, fmt(input.cost.monthly), fmt(t.budget.monthly)]), "fix": "deploy less, or ask finance for a larger budget (paved team update --budget)"} if {
	t := input.cost.team
	t.budget.hard
	t.monthly > t.budget.monthly
}

warn contains {"rule": "fin-budget", "msg": sprintf("team %s would cost %s %s a month, %d%% of its budget of %s", [t.name, fmt(t.monthly), input.cost.currency, round(100 * t.monthly / t.budget.monthly), fmt(t.budget.monthly)]), "fix": "look at paved plan's cost line; ask finance if the budget must grow"} if {
	t := input.cost.team
	t.monthly >= t.budget.warn_at * t.budget.monthly
	not deny_budget(t)
}

deny_budget(t) if {
	t.budget.hard
	t.monthly > t.budget.monthly
}

workloads contains w if {
	some o in input.objects
	o.kind in {"Deployment", "StatefulSet"}
	w := o
}

deny contains {"rule": "fin-replicas", "msg": sprintf("%s/%s asks for %d replicas in a %s environment, more than 3", [w.kind, w.metadata.name, w.spec.replicas, input.environment.type]), "fix": "keep replicas at 3 or fewer outside staging and production"} if {
	input.environment.type in {"development", "ephemeral"}
	some w in workloads
	w.spec.replicas > 3
}
