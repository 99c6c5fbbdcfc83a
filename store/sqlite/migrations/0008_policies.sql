-- Policies (Rego modules a stakeholder role owns) keep every version, as
-- definitions do, so that who changed a policy and how can be read back
-- (PolicyHistory): policies holds each version's whole policy as JSON in
-- body, and policy_heads the latest version of each, which an upsert bumps
-- so that versions are numbered without a race.

CREATE TABLE policy_heads (
	id      TEXT PRIMARY KEY,
	version INTEGER NOT NULL
);

CREATE TABLE policies (
	id         TEXT NOT NULL,
	version    INTEGER NOT NULL,
	body       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (id, version)
);
