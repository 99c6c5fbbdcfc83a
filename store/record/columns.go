package record

// The column lists the SQL stores select, in the order their scanners read
// them: the same names in every dialect.
const (
	// SummaryCols are the columns lists of deployments read: everything
	// but the specs, the plan and the objects, whose decoding costs ~10x
	// the rest of a row (see BenchmarkListDeployments).
	SummaryCols = `id, kind, app, env, env_id, env_type, target, author, commit_sha, commit_time, source, runner,
	status, error, inventory, revision, rollout, replaced_by, created_at, started_at, finished_at, fix`
	// DeploymentCols are a whole deployment's.
	DeploymentCols = SummaryCols + ", specs, plan, objects"

	TeamCols     = "name, cohort, pioneering, budget, created_at"
	AppCols      = "name, team, on_call, created_at"
	EnvCols      = `id, app, name, type, target, namespace, "values", health, expires_at, created_at`
	ResourceCols = `app, env, uid, definition_id, definition_version, driver, status, status_reason, outputs,
	secret_names, sealed, labels, updated_at`
	TargetCols = "name, type, context, in_cluster, server, sealed, created_at"
	// PriceListCols are a price list version's: its body, then its number.
	PriceListCols = "body, version"
	WaiverCols    = "id, rule, app, env, reason, status, requested_by, requested_at, owner, decided_by, decided_at, expires_at"
	// SignOffCols are a sign-off's stored fields: Valid and Invalid are
	// computed by the platform, not stored.
	SignOffCols = "app, role, signed_by, signed_at, policies_digest, types_digest"
	// TokenCols and UserCols are qualified: a token is read with its user.
	TokenCols = "tokens.id, tokens.user_name, tokens.name, tokens.hash, tokens.created_by, tokens.created_at, tokens.expires_at, " +
		"tokens.last_used_at, tokens.revoked_at"
	UserCols = "users.name, users.role, users.teams, users.disabled, users.created_at"
)

// CheckCols are a manual check's stored fields; ConfirmationCols a
// confirmation's.
const (
	CheckCols        = "scope, id, title, how, role, created_by, created_at"
	ConfirmationCols = "scope, check_id, subject, confirmed_by, role, confirmed_at"
)
