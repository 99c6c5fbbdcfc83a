package api

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"time"

	"paved.dev/paved"
)

// operation describes one route for the OpenAPI document. Request and
// response schemas come from the Go types the handlers use, so that they
// cannot drift from what goes over the wire.
type operation struct {
	method, path string
	id, tag      string
	summary      string
	description  string
	query        []param
	body         any  // a value of the request body's type; nil for none
	optionalBody bool // the body may be empty
	status       int
	resp         any // a value of the response's type; nil for no content
	public       bool
	stream       bool // also answers text/event-stream
	tooMany      bool // may answer 429: a rate or concurrency limit
	// media is the response's media type when it is not JSON (resp is
	// then nil): the body is described as a string of that type.
	media, mediaDescription string
}

type param struct {
	name, typ, description string
}

func operations() []operation {
	type (
		teams  = list[paved.Team]
		users  = list[paved.User]
		apps   = list[paved.App]
		envs   = list[paved.Environment]
		types  = list[paved.TypeInfo]
		defs   = list[paved.ResourceDefinition]
		deps   = list[paved.Deployment]
		events = list[paved.Event]
		res    = list[paved.Resource]
		audit  = list[paved.AuditEntry]
		tgts   = list[paved.TargetInfo]
		probes = list[paved.ProbeResult]
		tokens = list[paved.Token]
	)
	limit := param{"limit", "integer", "At most this many items; 0 or absent for the server's default."}
	since := param{"since", "string", "Only from this time on (RFC 3339)."}
	before := param{"before", "string", "Only before this time (RFC 3339)."}
	depQuery := []param{{"app", "string", "Only this app's."}, {"env", "string", "Only this environment's."},
		{"status", "string", "Only these states (" + strings.Join(strs(paved.DeploymentStatuses()...), ", ") + "), comma-separated or repeated."}, since, before, limit}
	return append([]operation{
		{method: "GET", path: "/api/healthz", id: "health", tag: "meta", summary: "Is the server up", status: 200, resp: ServerStatus{}, public: true},
		{method: "GET", path: "/api/openapi.json", id: "openapi", tag: "meta", summary: "This document", status: 200, resp: map[string]any{}, public: true},
		{method: "GET", path: "/api/whoami", id: "whoAmI", tag: "teams", summary: "The caller", status: 200, resp: paved.User{}},

		{method: "GET", path: "/api/teams", id: "listTeams", tag: "teams", summary: "List teams", status: 200, resp: teams{}},
		{method: "POST", path: "/api/teams", id: "createTeam", tag: "teams", summary: "Create a team", body: paved.Team{}, status: 201, resp: paved.Team{}},
		{method: "GET", path: "/api/teams/{team}", id: "getTeam", tag: "teams", summary: "Get a team", status: 200, resp: paved.Team{}},
		{method: "PATCH", path: "/api/teams/{team}", id: "updateTeam", tag: "teams", summary: "Change a team's cohort or pioneering flag (admin)",
			description: "Fields left out stay as they are. Audited (`team.update`).", body: paved.TeamUpdate{}, status: 200, resp: paved.Team{}},
		{method: "DELETE", path: "/api/teams/{team}", id: "deleteTeam", tag: "teams", summary: "Delete a team that owns no app (admin)",
			description: "409 while an app belongs to the team (move it with PATCH /api/apps/{app}, or delete it). Its members stay, without the team. Audited (`team.delete`).", status: 204},
		{method: "GET", path: "/api/users", id: "listUsers", tag: "teams", summary: "List users", status: 200, resp: users{}},
		{method: "POST", path: "/api/users", id: "createUser", tag: "teams", summary: "Create a user", body: paved.User{}, status: 201, resp: paved.User{}},
		{method: "PATCH", path: "/api/users/{user}", id: "updateUser", tag: "teams", summary: "Change a user's role, teams or disabled flag (admin)",
			description: "A disabled user's tokens stop working at once. Every change is audited.", body: paved.UserUpdate{}, status: 200, resp: paved.User{}},
		{method: "DELETE", path: "/api/users/{user}", id: "deleteUser", tag: "teams", summary: "Delete a user and their tokens (admin)",
			description: "Their tokens stop working at once; the audit log and their deployments keep their name. An admin cannot delete themselves (400). Audited (`user.delete`).", status: 204},
		{method: "GET", path: "/api/users/{user}/tokens", id: "listTokens", tag: "teams", summary: "A user's tokens (admin, or the user)",
			description: "Their secrets are never stored, so never shown.", status: 200, resp: tokens{}},
		{method: "POST", path: "/api/users/{user}/tokens", id: "createToken", tag: "teams", summary: "Issue a bearer token for a user (admin, or the user)",
			description: "The token is shown once (`token`); paved keeps only its hash. Every token expires: `ttl` up to the server's maximum, its default when absent. The body may be empty.",
			body:        paved.TokenRequest{}, optionalBody: true, status: 201, resp: paved.IssuedToken{}},
		{method: "DELETE", path: "/api/users/{user}/tokens", id: "revokeAllTokens", tag: "teams", summary: "Revoke every token of a user (admin, or the user)", status: 200, resp: RevokeResponse{}},
		{method: "DELETE", path: "/api/users/{user}/tokens/{id}", id: "revokeToken", tag: "teams", summary: "Revoke one token of a user (admin, or the user)", status: 200, resp: RevokeResponse{}},
		{method: "POST", path: "/api/users/{user}/tokens/{id}/rotate", id: "rotateToken", tag: "teams", summary: "Rotate one of a user's tokens (admin, or the user)",
			description: "Issues a new token of the same name and expiry (the secret changes, never the lifetime), shown this once, then revokes the old one; 409 when the old one was revoked meanwhile (the new one is revoked too). 404 when the token is not active. Audited (`token.rotate`).", status: 201, resp: paved.IssuedToken{}},

		{method: "GET", path: "/api/apps", id: "listApps", tag: "apps", summary: "List apps", status: 200, resp: apps{}},
		{method: "POST", path: "/api/apps", id: "createApp", tag: "apps", summary: "Create an app", body: paved.App{}, status: 201, resp: paved.App{}},
		{method: "GET", path: "/api/apps/{app}", id: "getApp", tag: "apps", summary: "Get an app", status: 200, resp: paved.App{}},
		{method: "PATCH", path: "/api/apps/{app}", id: "updateApp", tag: "apps", summary: "Hand an app to another team",
			description: "Admins, or developers of both teams. Audited (`app.update`).", body: paved.AppUpdate{}, status: 200, resp: paved.App{}},
		{method: "DELETE", path: "/api/apps/{app}", id: "deleteApp", tag: "apps", summary: "Delete an app",
			description: "409 while the app has environments, unless `cascade=true`, which deletes each first as DELETE /api/apps/{app}/envs/{env} does; the first that fails stops it (delete again to carry on). " +
				"Its deployments stay in the history. Audited (`app.delete`).",
			query: []param{{"cascade", "boolean", "Delete the app's environments first."}}, status: 200, resp: paved.AppDeletion{}},
		{method: "GET", path: "/api/apps/{app}/envs", id: "listEnvironments", tag: "environments", summary: "List an app's environments", status: 200, resp: envs{}},
		{method: "POST", path: "/api/apps/{app}/envs", id: "createEnvironment", tag: "environments", summary: "Create an environment",
			description: "The app comes from the path; the body may repeat it. With `from`, the latest successful deployment of that environment is cloned (a preview environment).",
			body:        paved.EnvironmentRequest{}, status: 201, resp: paved.Environment{}},
		{method: "GET", path: "/api/apps/{app}/envs/{env}", id: "getEnvironment", tag: "environments", summary: "Get an environment", status: 200, resp: paved.Environment{}},
		{method: "DELETE", path: "/api/apps/{app}/envs/{env}", id: "deleteEnvironment", tag: "environments", summary: "Delete an environment",
			description: "Removes what paved applied to the environment's target, deprovisions its resources, then forgets the environment; a failure stops there and keeps it. " +
				"With `force=true`, what cannot be reached (a target that is gone, a resource whose deprovisioning fails) is forgotten instead and listed in `forgotten`. " +
				"The audit log keeps the deletion (`env.delete`, `env.delete.force`).",
			query: []param{{"force", "boolean", "Forget what cannot be reached instead of stopping."}}, status: 200, resp: paved.EnvironmentDeletion{}},
		{method: "POST", path: "/api/apps/{app}/envs/{env}/extend", id: "extendEnvironment", tag: "environments", summary: "Set an ephemeral environment to expire `ttl` from now",
			description: "Within the server's maximum TTL; only ephemeral environments expire. Audited (`env.extend`).", body: ExtendRequest{}, status: 200, resp: paved.Environment{}},
		{method: "GET", path: "/api/apps/{app}/envs/{env}/types", id: "resourceTypes", tag: "environments", summary: "The resource types usable in an environment", status: 200, resp: types{}},
		{method: "POST", path: "/api/apps/{app}/envs/{env}/promote", id: "promote", tag: "deployments", summary: "Promote what runs in {env} to another environment",
			description: "Queues a deployment of the environment's latest successful specs to `to`, with that environment's resource definitions.",
			body:        PromoteRequest{}, status: 202, resp: paved.Deployment{}},

		{method: "GET", path: "/api/definitions", id: "listDefinitions", tag: "definitions", summary: "List resource definitions", status: 200, resp: defs{}},
		{method: "PUT", path: "/api/definitions", id: "applyDefinitions", tag: "definitions", summary: "Create or update resource definitions",
			description: "Every change makes a new version; the answer holds the definitions as stored.", body: DefinitionsRequest{}, status: 200, resp: defs{}},
		{method: "GET", path: "/api/definitions/{id}/history", id: "definitionHistory", tag: "definitions", summary: "Every version of a definition", status: 200, resp: defs{}},
		{method: "DELETE", path: "/api/definitions/{id}", id: "deleteDefinition", tag: "definitions", summary: "Stop a definition from matching (admin)",
			description: "Stores a version marked `deleted` that repeats the last one; the history keeps every version, and resources it provisioned are still deprovisioned with the version that made them. " +
				"Applying the definition again makes a new version. Built-in definitions cannot be deleted (400). Audited (`definitions.delete`).", status: 200, resp: paved.ResourceDefinition{}},

		{method: "POST", path: "/api/apps/{app}/envs/{env}/plan", id: "plan", tag: "deployments", summary: "What a deployment would change",
			description: "App and environment come from the path; the body may repeat them. Bodies may be up to 8 MiB.", body: paved.DeployRequest{}, status: 200, resp: paved.Plan{}},
		{method: "POST", path: "/api/apps/{app}/envs/{env}/deployments", id: "deploy", tag: "deployments", summary: "Queue a deployment",
			description: "App and environment come from the path; the body may repeat them. Bodies may be up to 8 MiB. Follow the deployment with its events.",
			body:        paved.DeployRequest{}, status: 202, resp: paved.Deployment{}},
		{method: "GET", path: "/api/apps/{app}/deployments", id: "listAppDeployments", tag: "deployments", summary: "An app's deployments, newest first",
			description: "Summaries: specs, plans and objects are left out (get the deployment for them).", query: depQuery[1:], status: 200, resp: deps{}},
		{method: "GET", path: "/api/deployments", id: "listDeployments", tag: "deployments", summary: "Deployments across apps, newest first",
			description: "Summaries: specs, plans and objects are left out (get the deployment for them).", query: depQuery, status: 200, resp: deps{}},
		{method: "GET", path: "/api/deployments/{id}", id: "getDeployment", tag: "deployments", summary: "Get a deployment", status: 200, resp: paved.Deployment{}},
		{method: "POST", path: "/api/deployments/{id}/rollback", id: "rollback", tag: "deployments", summary: "Re-deploy a deployment's snapshot", status: 202, resp: paved.Deployment{}},
		{method: "POST", path: "/api/apps/{app}/envs/{env}/rollback", id: "rollbackEnvironment", tag: "deployments", summary: "Roll an environment back to its last good deployment",
			description: "The successful deployment before the latest when the latest succeeded, else the latest successful one (the newest failed or is under way); of the environment's current incarnation. 400 when there is none.",
			status:      202, resp: paved.Deployment{}},
		{method: "GET", path: "/api/deployments/{id}/events", id: "events", tag: "deployments", summary: "A deployment's event log",
			description: "With `Accept: text/event-stream`, a Server-Sent Events stream: one event per log line (`id:` is its seq, data is an Event), " +
				"then `event: end` (data: id, status, error) once the deployment has finished and every event was sent. " +
				"`Last-Event-ID` resumes after that seq. Errors after the stream started arrive as `event: error` with the Error body as data. " +
				"A user follows a bounded number of streams at once (429 otherwise).",
			query: []param{{"after", "integer", "Only events with a greater seq."}}, status: 200, resp: events{}, stream: true, tooMany: true},

		{method: "GET", path: "/api/apps/{app}/envs/{env}/resources", id: "listResources", tag: "resources", summary: "An environment's provisioned resources",
			description: "Secret outputs are redacted.", status: 200, resp: res{}},
		{method: "GET", path: "/api/apps/{app}/envs/{env}/resources/{uid}/outputs", id: "outputs", tag: "resources", summary: "A resource's outputs",
			description: "Secret outputs are shown only with reveal=true and the rights to see them; they are redacted otherwise.",
			query:       []param{{"reveal", "boolean", "Show secret outputs."}}, status: 200, resp: map[string]any{}},
		{method: "POST", path: "/api/apps/{app}/envs/{env}/resources/prune", id: "pruneResources", tag: "resources", summary: "Deprovision the orphaned resources",
			description: "Orphaned resources are deprovisioned through their drivers and forgotten (pruned), or only forgotten when their driver made nothing to remove (forgotten); those holding data only with include_data, which outside the environment types developers may create needs the admin role (403). " +
				"dry_run lists what would be pruned, forgotten and kept. uids binds the prune to a confirmation: when what it would remove is not exactly those resources it is refused (409) and nothing is removed. Never while a deployment of the environment runs (409). Audited (`resource.prune`).",
			body: paved.PruneOptions{}, optionalBody: true, status: 200, resp: paved.PruneResult{}},

		{method: "GET", path: "/api/audit", id: "listAudit", tag: "audit", summary: "The audit log, newest first",
			query: []param{{"actor", "string", "Only this user's."}, {"action", "string", "Only this action (deploy, env.create...)."}, since, before, limit}, status: 200, resp: audit{}},

		{method: "GET", path: "/api/targets", id: "listTargets", tag: "targets", summary: "List the configured and registered targets",
			description: "Kubeconfigs are never returned.", status: 200, resp: tgts{}},
		{method: "POST", path: "/api/targets", id: "registerTarget", tag: "targets", summary: "Register a cluster as a target (admin)",
			description: "Give `kubeconfig` (and optionally `context`), or `in_cluster` for the cluster paved runs in. The kubeconfig is checked, sealed at rest " +
				"and never returned. Bodies may be up to 2 MiB.", body: paved.TargetInfo{}, status: 201, resp: paved.TargetInfo{}},
		{method: "POST", path: "/api/targets/{name}/probe", id: "probeTarget", tag: "targets", summary: "Probe that a target is reachable, with the rights paved needs (admin)",
			description: "A failed probe is an answer (200, `status: failed`, the reason in `message`), not an error; `not_checked` means the target has no probe. " +
				"Recorded in the audit log. One probe per target every 10 seconds (429 otherwise).", status: 200, resp: paved.ProbeResult{}, tooMany: true},
		{method: "DELETE", path: "/api/targets/{name}", id: "removeTarget", tag: "targets", summary: "Forget a registered target (admin)",
			description: "409 while an environment deploys to it (delete those first, with force=true if the cluster is gone) and for targets configured on the server. Audited (`target.remove`).", status: 204},
		{method: "GET", path: "/api/apps/{app}/envs/{env}/status", id: "environmentStatus", tag: "environments", summary: "Drift between an environment's last deployment and its target",
			status: 200, resp: paved.EnvironmentStatus{}},
		{method: "GET", path: "/api/policies", id: "listPolicies", tag: "policies", summary: "The policies in force: stored ones' latest versions and the built-in packs", status: 200, resp: list[paved.Policy]{}},
		{method: "PUT", path: "/api/policies", id: "applyPolicies", tag: "policies", summary: "Create or update policies (their owner role, or an admin)",
			description: "Every change makes a new version; a module that does not compile is refused (400) with its line and column; a policy owned by another role is 403. Bodies may be up to 16 MiB.",
			body:        PoliciesRequest{}, status: 200, resp: list[paved.Policy]{}},
		{method: "GET", path: "/api/policies/{id}/history", id: "policyHistory", tag: "policies", summary: "Every stored version of a policy", status: 200, resp: list[paved.Policy]{}},
		{method: "GET", path: "/api/prices", id: "getPrices", tag: "cost", summary: "The price list cost estimates use", description: "404 when finance has applied none.", status: 200, resp: paved.PriceList{}},
		{method: "PUT", path: "/api/prices", id: "applyPrices", tag: "cost", summary: "Store a new version of the price list (finance, or admin)",
			description: "A missing or negative price is refused (400) naming the field. Audited (`prices.apply`).", body: paved.PriceList{}, status: 200, resp: paved.PriceList{}},
		{method: "GET", path: "/api/costs", id: "costReport", tag: "cost", summary: "What environments cost by the month, by their last successful deployments' estimates",
			query: []param{{"team", "string", "Only this team's."}, {"app", "string", "Only this app's."}, {"env", "string", "Only environments of this name."}}, status: 200, resp: paved.CostReport{}},
		{method: "GET", path: "/api/settings/mvp-mode", id: "getMVPMode", tag: "meta", summary: "Whether the platform is in MVP mode", status: 200, resp: MVPModeBody{}},
		{method: "PUT", path: "/api/settings/mvp-mode", id: "setMVPMode", tag: "meta", summary: "Take the whole platform in or out of MVP mode (admin)",
			description: "Holds for every server sharing the store. Audited (`mvp.set`).", body: MVPModeBody{}, status: 200, resp: MVPModeBody{}},
		{method: "GET", path: "/api/apps/{app}/readiness", id: "readiness", tag: "apps", summary: "An app's production readiness: the checklist and the sign-offs",
			description: "In MVP mode an app deploys to production only when ready.", status: 200, resp: paved.Readiness{}},
		{method: "POST", path: "/api/apps/{app}/signoffs", id: "signOff", tag: "apps", summary: "Sign an app off for production, for the caller's role (security, data, finance)",
			description: "The sign-off holds the role's policies and the app's resource types: when either changes it no longer counts. Audited (`signoff`).", status: 201, resp: paved.SignOff{}},
		{method: "GET", path: "/api/checks", id: "listChecks", tag: "apps", summary: "Manual checks the platform team defined, by scope and id",
			query: []param{{"scope", "string", "readiness, or program.<phase>."}}, status: 200, resp: list[paved.ManualCheck]{}},
		{method: "PUT", path: "/api/checks/{scope}/{id}", id: "putCheck", tag: "apps", summary: "Define or redefine a manual check (admin)",
			description: "A readiness check is an item of every app's production readiness; a program check an item of a phase. Confirmations stay when it is redefined. Audited (`check.put`).", body: CheckBody{}, status: 200, resp: paved.ManualCheck{}},
		{method: "DELETE", path: "/api/checks/{scope}/{id}", id: "deleteCheck", tag: "apps", summary: "Remove a manual check and its confirmations (admin)", description: "Audited (`check.delete`).", status: 204},
		{method: "POST", path: "/api/checks/{scope}/{id}/confirmations", id: "confirmCheck", tag: "apps", summary: "Confirm a manual check for a subject (a user of the check's role)",
			description: "The subject is an app for a readiness check, an iteration (1, 2, ...) for a program check. Audited (`check.confirm`).", body: ConfirmBody{}, status: 201, resp: paved.CheckConfirmation{}},
		{method: "GET", path: "/api/checks/{scope}/confirmations", id: "listConfirmations", tag: "apps", summary: "A subject's confirmations in a scope",
			query: []param{{"subject", "string", "The app, or the iteration."}}, status: 200, resp: list[paved.CheckConfirmation]{}},
		{method: "GET", path: "/api/program", id: "program", tag: "program", summary: "The MVP program as it stands: the current phase, every phase's checks, objectives measured, funnels, requirements, pitfalls",
			status: 200, resp: paved.ProgramView{}},
		{method: "PUT", path: "/api/program", id: "applyProgram", tag: "program", summary: "Replace the program's spec: objectives, golden paths, cohorts, requirements (admin)",
			description: "The iteration, the communication log, the history and invitations stay. A bad field is refused (400) naming it. Audited (`program.apply`).", body: paved.ProgramSpec{}, status: 200, resp: paved.Program{}},
		{method: "POST", path: "/api/program/cohorts/{cohort}/invite", id: "inviteCohort", tag: "program", summary: "Record that a cohort's teams were invited now (admin)", description: "Audited (`program.invite`).", status: 200, resp: paved.Program{}},
		{method: "POST", path: "/api/program/announcements", id: "announce", tag: "program", summary: "Add to the communication log (admin)", body: AnnouncementBody{}, status: 201, resp: paved.Program{}},
		{method: "POST", path: "/api/program/iterations", id: "nextIteration", tag: "program", summary: "End the iteration and start the next at Discovery (admin)",
			description: "409 while a check is open, unless force. The ended iteration's phases and objectives are kept in history. Audited (`program.next`).", body: IterationBody{}, status: 201, resp: paved.Program{}},
		{method: "GET", path: "/api/feedback", id: "listFeedback", tag: "program", summary: "Feedback, newest first", status: 200, resp: list[paved.Feedback]{}},
		{method: "POST", path: "/api/feedback", id: "giveFeedback", tag: "program", summary: "Give feedback on the platform (any user)", description: "At most 4,000 bytes.", body: FeedbackBody{}, status: 201, resp: paved.Feedback{}},
		{method: "POST", path: "/api/feedback/{id}/triage", id: "triageFeedback", tag: "program", summary: "Link feedback to a roadmap item (admin)", body: TriageBody{}, status: 200, resp: paved.Feedback{}},
		{method: "GET", path: "/api/roadmap", id: "listRoadmap", tag: "program", summary: "The roadmap by status, then votes", status: 200, resp: list[paved.RoadmapItem]{}},
		{method: "PUT", path: "/api/roadmap/{item}", id: "putRoadmapItem", tag: "program", summary: "Create or change a roadmap item (admin)", body: RoadmapBody{}, status: 200, resp: paved.RoadmapItem{}},
		{method: "POST", path: "/api/roadmap/{item}/votes", id: "vote", tag: "program", summary: "Vote for a roadmap item (once per user)", status: 200, resp: paved.RoadmapItem{}},
		{method: "GET", path: "/api/waivers", id: "listWaivers", tag: "policies", summary: "Waivers, newest first",
			query: []param{{"app", "string", "Only this app's."}, {"env", "string", "Only this environment's."}, {"status", "string", "requested, approved or rejected."}}, status: 200, resp: list[paved.Waiver]{}},
		{method: "POST", path: "/api/waivers", id: "requestWaiver", tag: "policies", summary: "Ask for a time-boxed exception to one rule for one app and environment (the app's team)",
			description: "The role that owns the rule's policy decides. Audited (`waiver.request`).", body: paved.WaiverRequest{}, status: 201, resp: paved.Waiver{}},
		{method: "GET", path: "/api/dora", id: "dora", tag: "dora", summary: "DORA's five metrics of an app, a team or the organisation, with their 2024 bands",
			description: "Computed from paved's deployment history for one environment type, named with why (`env_type`, `measured`): in MVP mode the highest type deployed to that is not production (docs/dora.md).",
			query: []param{{"app", "string", "Only this app's."}, {"team", "string", "Only this team's apps'."}, {"window", "string", "How far back from now: 90d (default), 12w, 1y, 720h; 1d to 1098d."},
				{"weekly", "boolean", "true: add the window's weeks (weeks), counted as the figures are, for a chart."}},
			status: 200, resp: paved.DORAReport{}},
		{method: "GET", path: "/api/catalog", id: "catalog", tag: "catalog", summary: "The platform as Backstage catalog entities: a Group per team, a System per app, a Component per workload, a Resource per resource",
			description: "paved catalog export writes them as catalog-info YAML files (docs/catalog.md).", status: 200, resp: list[paved.CatalogEntity]{}},
		{method: "GET", path: "/api/reports/{audience}", id: "report", tag: "program", summary: "A demo report for leadership or engineers, as one self-contained HTML file with its charts",
			description: "Leadership: the program's phase, the adoption funnel per cohort, DORA with bands and trend, estimated time saved with its assumptions, cost per team, risks, the next cohort. " +
				"Engineering: golden paths, resource types per environment type, how to deploy, the policies that apply, recent changes (docs/reports.md). Any user. Audited (`report.generate`, the audience as target).",
			query: []param{{"deployment_time_saved", "string", "What one successful deployment is assumed to save (a Go duration; 30m by default)."},
				{"preview_time_saved", "string", "What one preview environment is assumed to save (2h by default)."},
				{"hourly_rate", "number", "Converts the time saved to money, in the price list's currency; none by default."}},
			status: 200, media: "text/html", mediaDescription: "One HTML document: inline CSS and SVG, no script, nothing fetched from elsewhere."},
		{method: "GET", path: "/api/backup", id: "backup", tag: "meta", summary: "A backup archive of the SQLite store and the local GitOps repository (admin)",
			description: "A gzip-compressed tar: an online copy of the store (paved.db) and a clone of the GitOps repository (gitops/); never the keys. " +
				"400 on PostgreSQL (back it up with pg_dump). An error after the first byte cuts the archive short. Audited (docs/reliability.md#backups).",
			status: 200, media: "application/gzip", mediaDescription: "A gzip-compressed tar archive."},
		{method: "POST", path: "/api/waivers/{id}/approve", id: "approveWaiver", tag: "policies", summary: "Approve a waiver (the rule's owning role, or an admin)",
			description: "While it lasts, the rule's denials in that environment are warnings that say so. Audited.", status: 200, resp: paved.Waiver{}},
		{method: "POST", path: "/api/waivers/{id}/reject", id: "rejectWaiver", tag: "policies", summary: "Reject a waiver (the rule's owning role, or an admin)", status: 200, resp: paved.Waiver{}},
		{method: "POST", path: "/api/definitions/probe", id: "probeDefinitions", tag: "definitions", summary: "Probe definitions' drivers against what they reach (admin)",
			description: "Probes the definitions named in `ids`, or every stored one when `ids` is empty. Failed probes are answers (`status: failed`), recorded in the audit log; " +
				"`limited` says only part could be checked, `not_checked` that the driver reaches nothing. One probe per definition every 10 seconds (429 otherwise).",
			body: ProbeDefinitionsRequest{}, optionalBody: true, status: 200, resp: probes{}, tooMany: true},
		{method: "GET", path: "/api/scorecards", id: "listScorecards", tag: "scorecards", summary: "The scorecards in force: the stored ones' latest versions and the built-in ones (mvp, production-ready)", status: 200, resp: list[paved.Scorecard]{}},
		{method: "PUT", path: "/api/scorecards", id: "applyScorecards", tag: "scorecards", summary: "Create or update scorecards (their owner role, or an admin)",
			description: "Every change makes a new version; a module that does not compile, or whose rules are not `{level, title, pass, hint}` over the facts, is refused (400) naming the line or the rule; a scorecard owned by another role is 403. Audited (`scorecards.apply`).",
			body:        ScorecardsRequest{}, status: 200, resp: list[paved.Scorecard]{}},
		{method: "GET", path: "/api/apps/{app}/scorecards", id: "appScorecards", tag: "scorecards", summary: "An app's results on the scorecards in force, with the facts the rules saw",
			description: "Computed now from the platform's data; a result that differs from the app's last recorded one on that scorecard is recorded (docs/scorecards.md).",
			query:       []param{{"scorecard", "string", "Only this scorecard's result."}}, status: 200, resp: paved.AppScorecards{}},
		{method: "GET", path: "/api/apps/{app}/scorecards/{id}/history", id: "scorecardHistory", tag: "scorecards", summary: "An app's recorded results on a scorecard, newest first: one per change",
			query: []param{{"limit", "integer", "At most this many (1 to 1000; 100 by default)."}}, status: 200, resp: list[paved.ScorecardRecord]{}},
	}, templateOperations()...)
}

var pathParams = map[string]string{
	"app":      "The app's name.",
	"env":      "The environment's name.",
	"user":     "The user's name.",
	"team":     "The team's name.",
	"name":     "The target's name.",
	"scope":    "The check's scope: `readiness`, or `program.<phase>`.",
	"cohort":   "The cohort's number.",
	"item":     "The roadmap item's id.",
	"template": "The template's name.",
	"audience": "Who the report is for: `leadership` or `engineering`.",
	"uid": "The resource's UID, such as `postgres.default#api.db`, URL-escaped " +
		"(`postgres.default%23api.db`): an unescaped `#` would end the path.",
}

// idOf names what an {id} path parameter identifies, by the collection
// it follows.
var idOf = map[string]string{
	"deployments": "The deployment's id.",
	"policies":    "The policy's id.",
	"waivers":     "The waiver's id.",
	"definitions": "The definition's id.",
	"tokens":      "The token's id.",
	"{scope}":     "The check's id.",
	"feedback":    "The feedback's number.",
	"scorecards":  "The scorecard's id.",
}

var pathParamRE = regexp.MustCompile(`\{([a-z]+)\}`)

// schemaDescriptions document the component schemas.
var schemaDescriptions = map[string]string{
	"Team":                    "A team owns apps and belongs to an adoption cohort.",
	"User":                    "A person or a machine with a role: admin, developer, viewer, security, data or finance. A disabled user's tokens do not work.",
	"UserUpdate":              "Changes to a user; absent fields stay as they are.",
	"TeamUpdate":              "Changes to a team; absent fields stay as they are.",
	"AppUpdate":               "Changes to an app: `team` hands it to another team.",
	"AppDeletion":             "What deleting an app did: the environments deleted first (a cascade), in order.",
	"EnvironmentDeletion":     "What deleting an environment did: objects removed, resources deprovisioned and, when forced, what paved could not reach and forgot (it may still exist).",
	"Policy":                  "A Rego module owned by a stakeholder role (security, data, finance) or admin, judging every deployment before anything is provisioned (docs/policies.md).",
	"PoliciesRequest":         "Policies to apply.",
	"PriceList":               "What finance says things cost, for estimates (docs/cost.md).",
	"ResourcePrice":           "A resource's price by the month, by definition, type and class, or type.",
	"CostEstimate":            "An estimate (never a bill) of what an environment costs by the month.",
	"CostItem":                "One line of an estimate.",
	"CostReport":              "Estimates by environment and team, and budget use.",
	"Readiness":               "An app's production readiness: checklist items and sign-offs.",
	"DORAReport":              "DORA's five metrics over a window, for the environment type named (docs/dora.md).",
	"DORAMetric":              "One DORA metric: its value, unit, band of the 2024 report's clusters and what it was computed from.",
	"CatalogEntity":           "A Backstage catalog entity (backstage.io/v1alpha1), as catalog-info.yaml holds it.",
	"CatalogMetadata":         "A Backstage entity's name, title, labels and annotations.",
	"DORAFigures":             "The counts and medians the store aggregated, which the metrics are computed from.",
	"DORAWeek":                "One week of the window (weekly=true): its deployments counted as the figures count them.",
	"MVPModeBody":             "The platform's MVP mode: production only for apps ready for it.",
	"Announcement":            "An entry of the program's communication log: who announced what to which audience, when.",
	"AnnouncementBody":        "Adds to the communication log: the audience and what was announced.",
	"Cohort":                  "A group of teams onboarded together; teams name it by number. invited_at starts its funnel.",
	"Feedback":                "What a user said of the platform, and the roadmap item it was triaged into.",
	"FeedbackBody":            "A user's feedback: the text (at most 4,000 bytes) and where it came from (cli, portal, api).",
	"Funnel":                  "A cohort's adoption: invited, first deployment, deploying every week, per team.",
	"Iteration":               "A finished iteration of the program: its cohort, dates, and phases and objectives as they stood at its end.",
	"IterationBody":           "Starts the next iteration; force skips the check that every phase is done.",
	"Objective":               "An outcome the MVP aims at: a DORA metric and a target (at least, or at most).",
	"ObjectiveNow":            "An objective with its value over the last 30 days, the 30 before (the trend), whether it is met and what was measured.",
	"PhaseCheck":              "One check of a phase: done, or why not and how to meet it; manual checks name the role that confirms them.",
	"PhaseStatus":             "A phase of the program (discovery, integration, deployment, adoption) and its checks.",
	"Pitfall":                 "A warning from the MVP framework's pitfalls (complexity, user neglect, narrow focus, tool obsession) with what to do.",
	"Program":                 "The stored program: its spec, the current iteration, the communication log and the history.",
	"ProgramSpec":             "What the platform team declares of the program: objectives, golden paths, the representative app, cohorts, requirements.",
	"ProgramView":             "The program as it stands, computed from the platform's data.",
	"Requirement":             "Something a cohort needs that the platform lacks; computed ones come from Score files asking for a type without a definition.",
	"RoadmapBody":             "Creates or changes a roadmap item: its title and status.",
	"RoadmapItem":             "An item of the platform's roadmap, with its votes and the feedback triaged into it.",
	"TeamFunnel":              "A team's first successful deployment, the time to it from the invitation, and whether it deploys every week.",
	"TriageBody":              "The roadmap item to link feedback to.",
	"ManualCheck":             "A check the platform team defines and a user of its role confirms (docs/production-readiness.md).",
	"CheckBody":               "Defines a manual check: what must hold, how to meet it, the role that confirms it.",
	"ConfirmBody":             "Confirms a check for a subject: an app (readiness) or an iteration (program).",
	"CheckConfirmation":       "Who confirmed a manual check for a subject, and when.",
	"ReadinessItem":           "One check: done, or why not and how to meet it.",
	"Scorecard":               "A Rego module of rules over an app's facts, with levels bronze, silver and gold, owned like a policy (docs/scorecards.md).",
	"ScorecardsRequest":       "Scorecards to apply.",
	"AppScorecards":           "An app's results on every scorecard in force, and the facts they read.",
	"ScorecardFacts":          "What the platform knows of an app: the input of every scorecard (`input.facts`).",
	"ScorecardResult":         "An app's result on one scorecard: its rules, the level reached, the next level and the rules it needs.",
	"ScorecardRule":           "One rule as evaluated: its level, whether it passes, and how to pass it.",
	"ScorecardRecord":         "A recorded result: one point of an app's trend on a scorecard.",
	"SignOff":                 "A stakeholder's approval of an app for production, valid while what it approved holds.",
	"Template":                "A golden-path template: a JSON Schema of parameters and files (.tmpl ones rendered with Go templates), versioned (docs/templates.md).",
	"TemplateFile":            "One file of a template or of its rendering: a slash-separated path and its text.",
	"RenderRequest":           "A template (and version: absent for the latest), the new service's name and team, and parameters.",
	"Rendering":               "A template rendered with parameters (defaults filled in): the files of a new repository.",
	"Scaffold":                "A service scaffolded from a template, with the time it is assumed to have saved.",
	"ScaffoldResult":          "A scaffold's record and the files to write.",
	"ScaffoldReport":          "Scaffolds, newest first, their count and the time they saved together.",
	"TimeSavedBody":           "The time each new scaffold is recorded to save (a Go duration: `8h`).",
	"Waiver":                  "A time-boxed exception to one policy rule for one app and environment.",
	"WaiverRequest":           "Asks for a waiver: the rule (policy/rule), app, environment, reason and how long.",
	"EnvCost":                 "An environment's monthly estimate (and an ephemeral one's over its TTL).",
	"TeamCost":                "A team's monthly estimate and the share of its budget it takes.",
	"Budget":                  "A team's monthly budget: a warning from warn_at (0.8), a denial beyond it when hard.",
	"ExtendRequest":           "How long from now an ephemeral environment lives (a Go duration: `24h`).",
	"Token":                   "A bearer token's record; its secret is shown once, when issued.",
	"TokenRequest":            "Issues a token: its name and lifetime.",
	"IssuedToken":             "A new token: its record and, once, its secret (`token`).",
	"RevokeResponse":          "How many tokens were revoked.",
	"App":                     "A set of workloads owned by a team.",
	"Environment":             "An app's instance of an environment type, with its health as of its last deployment.",
	"EnvironmentHealth":       "An environment's health (Argo CD's vocabulary) and why.",
	"EnvironmentRequest":      "Creates an environment, optionally cloned from another (`from`).",
	"TypeInfo":                "A resource type usable in an environment, and how it is provided.",
	"ResourceDefinition":      "How resources of one type (and class) are provided where its criteria match.",
	"DefinitionRef":           "One version of a definition (version 0: built in).",
	"Criteria":                "Conditions under which a definition applies; an empty field matches anything.",
	"OutputSpec":              "One output of a definition.",
	"DeployRequest":           "Score files by file name, and the commit they come from.",
	"Plan":                    "What a deployment does, as data: resources and objects with their actions, the definitions it pins, the gates' findings.",
	"PlannedResource":         "One resource of a plan and what happens to it.",
	"PlannedObject":           "One object of a plan and what happens to it, with its diff and drift.",
	"Finding":                 "What a gate (a policy, a cost check) said of a plan.",
	"Deployment":              "A snapshot of what was deployed: the request and plan are fixed at creation; only status, times and the result change, once.",
	"ObjectRef":               "One Kubernetes object's identity.",
	"Event":                   "One line of a deployment's event log.",
	"PruneOptions":            "Which orphaned resources a prune may remove: include_data also those holding data; dry_run only lists; uids, the resources a confirmation listed (pruned and forgotten), or the prune is refused.",
	"PruneResult":             "What a prune removed (pruned), only forgot (forgotten) and kept (holding data; in_use: orphaned, but the environment's last successful deployment uses them, never pruned), or with dry_run would.",
	"PrunedResource":          "One orphaned resource a prune removed or kept, with the definition version that provisioned it.",
	"Resource":                "One provisioned resource, active or orphaned; secret outputs are listed in secret_outputs and redacted.",
	"AuditEntry":              "One change: who, what, when, result.",
	"ServerStatus":            "The server's status and version.",
	"PromoteRequest":          "The environment to promote to.",
	"DefinitionsRequest":      "The definitions to create or update.",
	"TargetInfo":              "A target: where an environment's objects go. The kubeconfig goes in, sealed at rest, and never comes out.",
	"ProbeResult":             "What a probe of a target or a definition found: can paved reach it, with the rights it needs.",
	"EnvironmentStatus":       "An environment's last deployment compared with what its target holds, and its health.",
	"Drift":                   "One difference between what was applied and what the target holds.",
	"ProbeDefinitionsRequest": "The definitions to probe; none for every stored one.",
	"Error":                   "Every error. The code says what kind (and the HTTP status), the message what to fix.",
}

func strs[T ~string](vs ...T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// fieldEnums lists the values of fields that take one of a few, by
// "GoType.json_field".
var fieldEnums = map[string][]string{
	"errorBody.code":           {paved.EINVALID, paved.EUNAUTHORIZED, paved.EFORBIDDEN, paved.ENOTFOUND, paved.ECONFLICT, paved.ETOOMANY, paved.EUNAVAILABLE, paved.EINTERNAL},
	"User.role":                strs(paved.Roles()...),
	"UserUpdate.role":          strs(paved.Roles()...),
	"Environment.type":         strs(paved.EnvTypes()...),
	"EnvironmentRequest.type":  strs(paved.EnvTypes()...),
	"Criteria.env_type":        strs(paved.EnvTypes()...),
	"EnvironmentHealth.status": strs(paved.HealthHealthy, paved.HealthProgressing, paved.HealthDegraded, paved.HealthUnknown),
	"Deployment.status":        strs(paved.DeploymentStatuses()...),
	"Deployment.kind":          strs(paved.DeploymentKinds()...),
	"Deployment.rollout":       strs(paved.RolloutComplete, paved.RolloutApplied, paved.RolloutCommitted),
	"Plan.kind":                strs(paved.DeploymentKinds()...),
	"PlannedResource.action":   strs(paved.PlanCreate, paved.PlanUpdate, paved.PlanUnchanged, paved.PlanReprovision, paved.PlanOrphan),
	"PlannedObject.action":     strs(paved.PlanCreate, paved.PlanUpdate, paved.PlanUnchanged, paved.PlanDelete),
	"Finding.level":            strs(paved.FindingDeny, paved.FindingWarn),
	"Resource.status":          strs(paved.ResourceActive, paved.ResourceOrphaned),
	"TargetInfo.type":          {paved.TargetGitOps, paved.TargetKubernetes},
	"ProbeResult.kind":         {"target", "definition"},
	"ProbeResult.status":       strs(paved.ProbeOK, paved.ProbeFailed, paved.ProbeLimited, paved.ProbeNotChecked),
	"Drift.state":              strs(paved.DriftMissing, paved.DriftChanged, paved.DriftExtra),
	"Event.level":              strs(paved.EventInfo, paved.EventWarn, paved.EventError),
}

// schemaName is a struct type's component name.
func schemaName(t reflect.Type) string { return t.Name() }

// openAPI returns the OpenAPI 3.0 document of the API.
func openAPI(version string) map[string]any {
	c := components{}
	paths := map[string]map[string]any{}
	for _, op := range operations() {
		item := paths[op.path]
		if item == nil {
			item = map[string]any{}
			paths[op.path] = item
		}
		item[strings.ToLower(op.method)] = c.operation(op)
	}
	c["Error"] = c.object(reflect.TypeFor[errorResponse](), "Error")
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":       "paved API",
			"version":     version,
			"description": "The HTTP API of paved, a Minimum Viable Platform in one binary. Authenticate with `Authorization: Bearer <token>` (`paved login`).",
		},
		"servers":  []any{map[string]any{"url": "/"}},
		"security": []any{map[string]any{"bearer": []string{}}},
		"paths":    paths,
		"components": map[string]any{
			"schemas": c,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "A token from `paved login` or POST /api/users/{user}/tokens."},
			},
			"responses": map[string]any{
				"Error": map[string]any{
					"description": "An error: {\"error\": {\"code\": ..., \"message\": ...}}. Codes and statuses: invalid 400, unauthorized 401, forbidden 403, not_found 404, conflict 409, too_many 429, internal 500, unavailable 503.",
					"content":     jsonContent(ref("Error")),
				},
			},
		},
	}
}

func (c components) operation(op operation) map[string]any {
	o := map[string]any{
		"operationId": op.id,
		"summary":     op.summary,
		"tags":        []string{op.tag},
	}
	if op.description != "" {
		o["description"] = op.description
	}
	var params []any
	for _, m := range pathParamRE.FindAllStringSubmatch(op.path, -1) {
		desc := pathParams[m[1]]
		if m[1] == "id" {
			collection, _, _ := strings.Cut(op.path, "/{id}")
			desc = idOf[collection[strings.LastIndex(collection, "/")+1:]]
		}
		if desc == "" {
			panic(fmt.Sprintf("api: path parameter %s of %s has no description", m[1], op.path))
		}
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "description": desc, "schema": map[string]any{"type": "string"}})
	}
	for _, q := range op.query {
		params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.description, "schema": map[string]any{"type": q.typ}})
	}
	if op.stream {
		params = append(params,
			map[string]any{"name": "Accept", "in": "header", "description": "text/event-stream for a stream.", "schema": map[string]any{"type": "string"}},
			map[string]any{"name": "Last-Event-ID", "in": "header", "description": "Resume a stream after this seq.", "schema": map[string]any{"type": "integer"}})
	}
	if params != nil {
		o["parameters"] = params
	}
	if op.body != nil {
		o["requestBody"] = map[string]any{"required": !op.optionalBody, "content": jsonContent(c.schema(reflect.TypeOf(op.body)))}
	}
	ok := map[string]any{"description": http.StatusText(op.status)}
	if op.resp != nil {
		content := jsonContent(c.schema(reflect.TypeOf(op.resp)))
		if op.stream {
			content["text/event-stream"] = map[string]any{"schema": map[string]any{"type": "string", "description": "Server-Sent Events; see the operation's description."}}
		}
		ok["content"] = content
	}
	if op.media != "" {
		ok["content"] = map[string]any{op.media: map[string]any{"schema": map[string]any{"type": "string", "description": op.mediaDescription}}}
	}
	responses := map[string]any{fmt.Sprint(op.status): ok, "default": map[string]any{"$ref": "#/components/responses/Error"}}
	if op.public {
		o["security"] = []any{}
	} else {
		responses["401"] = map[string]any{"$ref": "#/components/responses/Error"}
	}
	if op.tooMany {
		responses["429"] = map[string]any{"$ref": "#/components/responses/Error"}
	}
	o["responses"] = responses
	return o
}

func jsonContent(schema map[string]any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
}

func ref(name string) map[string]any {
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// components holds the named schemas, built from Go types by reflection.
type components map[string]any

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[paved.Duration]()
)

func (c components) schema(t reflect.Type) map[string]any {
	switch t {
	case timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case durationType:
		return map[string]any{"type": "string", "description": "A duration such as \"48h\" or \"30m\".", "example": "48h"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		s := c.schema(t.Elem())
		if _, isRef := s["$ref"]; !isRef {
			s["nullable"] = true
		}
		return s
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return map[string]any{"type": "integer"}
	case reflect.Int64, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": c.schema(t.Elem())}
	case reflect.Map:
		if t.Elem().Kind() == reflect.Interface {
			return map[string]any{"type": "object", "additionalProperties": true}
		}
		return map[string]any{"type": "object", "additionalProperties": c.schema(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		name := schemaName(t)
		if name == "" || !isExported(name) {
			return c.object(t, "")
		}
		if _, seen := c[name]; !seen {
			c[name] = nil // a placeholder, in case the type refers to itself
			c[name] = c.object(t, name)
		}
		return ref(name)
	}
	panic(fmt.Sprintf("api: no OpenAPI schema for %s", t))
}

func isExported(name string) bool { return name[0] >= 'A' && name[0] <= 'Z' }

// object is the schema of a struct: its JSON fields in order, those of
// embedded structs inlined as encoding/json does.
func (c components) object(t reflect.Type, name string) map[string]any {
	props := map[string]any{}
	c.fields(t, name, props)
	s := map[string]any{"type": "object", "properties": props}
	if d := schemaDescriptions[name]; d != "" {
		s["description"] = d
	}
	return s
}

func (c components) fields(t reflect.Type, owner string, props map[string]any) {
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
			c.fields(f.Type, owner, props)
			continue
		}
		if tag == "-" || !f.IsExported() {
			continue
		}
		field, _, _ := strings.Cut(tag, ",")
		if field == "" {
			field = f.Name
		}
		fs := c.schema(f.Type)
		if enum, ok := fieldEnums[owner+"."+field]; ok {
			fs["enum"] = enum
		}
		props[field] = fs
	}
}
