-- Policies (Rego modules a stakeholder role owns) keep every version, as
-- definitions do, so that who changed a policy and how can be read back
-- (PolicyHistory): policies holds each version's whole policy as JSON in
-- body, and policy_heads the latest version of each, which an upsert bumps
-- (locking the policy's row) so that versions are numbered without a race
-- between servers.

CREATE TABLE policy_heads (
	id      text COLLATE "C" PRIMARY KEY,
	version integer NOT NULL
);

CREATE TABLE policies (
	id         text COLLATE "C" NOT NULL,
	version    integer NOT NULL,
	body       jsonb NOT NULL,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (id, version)
);
