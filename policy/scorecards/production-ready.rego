# The production-ready scorecard: how close an app is to production.
# Production readiness asks for its bar (silver). Bronze: someone answers
# for it and staging runs it cleanly; silver: it recovers, runs on the
# platform's definitions, is healthy and costed; gold: it ships weekly,
# signed off, without exceptions.
package paved.scorecards.production_ready

title := "Production ready"

bar := "silver"

f := input.facts

rules["owner-on-call"] := {
	"level": "bronze",
	"title": "an owner team and an on-call contact",
	"pass": all_set,
	"hint": sprintf("say who answers when %s breaks: paved app update %s --on-call ROTA", [f.app, f.app]),
}

all_set if {
	f.team != ""
	f.on_call != ""
}

default all_set := false

rules["staging-deployed"] := {
	"level": "bronze",
	"title": "a staging environment deployed",
	"pass": f.staging_deployed,
	"hint": sprintf("an admin creates staging (paved env create staging --app %s), then paved env promote dev staging --app %s", [f.app, f.app]),
}

rules["no-denial"] := {
	"level": "bronze",
	"title": "no policy denial in the latest plan of any environment",
	"pass": f.last_plan_denied == false,
	"hint": sprintf("the latest plan of %s was denied: fix what the policy says (paved plan shows it) or ask for a waiver", [concat(", ", f.denied_environments)]),
}

rules["rollback-exercised"] := {
	"level": "silver",
	"title": "a rollback exercised",
	"pass": f.rollback_exercised,
	"hint": sprintf("roll an environment back once: paved rollback --app %s --env staging", [f.app]),
}

rules["platform-definitions"] := {
	"level": "silver",
	"title": "every resource from a platform definition",
	"pass": f.platform_definitions_only,
	"hint": sprintf("definitions made for %s alone (%s): ask the platform team to make them general", [f.app, concat(", ", f.app_definitions)]),
}

rules.healthy := {
	"level": "silver",
	"title": "no degraded environment",
	"pass": count(f.degraded_environments) == 0,
	"hint": sprintf("degraded: %s; paved env status ENV --app %s says why", [concat(", ", f.degraded_environments), f.app]),
}

rules["cost-estimated"] := {
	"level": "silver",
	"title": "every environment's latest deployment has a cost estimate",
	"pass": f.cost_estimated,
	"hint": "finance applies a price list (paved prices apply), then deploy again",
}

rules["deploys-weekly"] := {
	"level": "gold",
	"title": "a successful deployment in each of the last 4 weeks",
	"pass": f.deploys_weekly,
	"hint": sprintf("%d of the last 4 weeks had a successful deployment", [f.weeks_deployed]),
}

rules["signed-off"] := {
	"level": "gold",
	"title": "signed off by security, data and finance",
	"pass": count(missing_signoffs) == 0,
	"hint": sprintf("still to sign off (paved signoff --app %s): %s", [f.app, concat(", ", sort(missing_signoffs))]),
}

missing_signoffs contains role if {
	some role in ["security", "data", "finance"]
	not role in f.signed_off
}

rules["no-waivers"] := {
	"level": "gold",
	"title": "no waiver in force",
	"pass": f.active_waivers == 0,
	"hint": sprintf("%d approved waiver(s) in force: fix what they excuse (paved waivers list --app %s)", [f.active_waivers, f.app]),
}

rules["no-warnings"] := {
	"level": "gold",
	"title": "no unwaived policy warning in the latest plans",
	"pass": f.warnings == 0,
	"hint": sprintf("%d warning(s) in the latest plans: paved plan shows them", [f.warnings]),
}
