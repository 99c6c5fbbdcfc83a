# The MVP scorecard: is an app on the paved road the pioneering team
# walks? Bronze: it has a home and has deployed; silver: it deploys every
# week, through staging, with previews; gold: it has rolled back, takes
# its resources from the platform and passes its policies.
package paved.scorecards.mvp

title := "MVP: on the paved road"

bar := "silver"

f := input.facts

rules["owner-team"] := {
	"level": "bronze",
	"title": "an owner team",
	"pass": f.team != "",
	"hint": sprintf("hand %s to a team: paved app update %s --team TEAM", [f.app, f.app]),
}

rules.deployed := {
	"level": "bronze",
	"title": "deployed successfully through paved",
	"pass": f.last_success_at != null,
	"hint": sprintf("deploy it: paved deploy -f score.yaml --app %s --env dev", [f.app]),
}

rules["deploys-weekly"] := {
	"level": "silver",
	"title": "a successful deployment in each of the last 4 weeks",
	"pass": f.deploys_weekly,
	"hint": sprintf("%d of the last 4 weeks had a successful deployment; ship small changes every week", [f.weeks_deployed]),
}

rules["staging-deployed"] := {
	"level": "silver",
	"title": "a staging environment deployed",
	"pass": f.staging_deployed,
	"hint": sprintf("an admin creates staging (paved env create staging --app %s), then paved env promote dev staging --app %s", [f.app, f.app]),
}

rules["previews-used"] := {
	"level": "silver",
	"title": "preview environments used in the last 30 days",
	"pass": f.previews_used,
	"hint": sprintf("open a preview for a pull request: paved env create pr-1 --app %s --from dev --ttl 48h", [f.app]),
}

rules["rollback-exercised"] := {
	"level": "gold",
	"title": "a rollback exercised",
	"pass": f.rollback_exercised,
	"hint": sprintf("roll an environment back once, to know it works: paved rollback --app %s --env dev", [f.app]),
}

rules["platform-definitions"] := {
	"level": "gold",
	"title": "every resource from a platform definition",
	"pass": f.platform_definitions_only,
	"hint": sprintf("definitions made for %s alone (%s): ask the platform team to make them general, or use theirs", [f.app, concat(", ", f.app_definitions)]),
}

rules["no-denial"] := {
	"level": "gold",
	"title": "no policy denial in the latest plan of any environment",
	"pass": f.last_plan_denied == false,
	"hint": sprintf("the latest plan of %s was denied: fix what the policy says (paved plan shows it) or ask for a waiver", [concat(", ", f.denied_environments)]),
}
