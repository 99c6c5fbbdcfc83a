-- The core reshaped (see docs/storage.md): disabled users; named,
-- revocable tokens with a last use; an id per environment incarnation and
-- its health; resources keyed by the definition that provisioned them too;
-- deployments with their kind, source, environment incarnation, type,
-- target, plan and rollout, immutable once written (a trigger refuses
-- changes); the installation id.

ALTER TABLE users ADD COLUMN disabled boolean NOT NULL DEFAULT false;

ALTER TABLE tokens
	ADD COLUMN name text COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN created_by text COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN last_used_at timestamptz,
	ADD COLUMN revoked_at timestamptz;
-- Every token expires now: those issued before without an expiry get 90
-- days from the upgrade (the default lifetime); revoke them sooner with
-- paved user token revoke.
UPDATE tokens SET expires_at = now() + interval '90 days' WHERE expires_at IS NULL;

ALTER TABLE environments
	ADD COLUMN id text COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN health jsonb NOT NULL DEFAULT 'null';
UPDATE environments SET id = 'e-' || substr(md5(random()::text || app || '/' || name), 1, 16) WHERE id = '';
CREATE UNIQUE INDEX environments_id ON environments (id);
CREATE INDEX environments_target_namespace ON environments (target, namespace);

ALTER TABLE resources
	ADD COLUMN definition_version integer NOT NULL DEFAULT 0,
	ADD COLUMN status text COLLATE "C" NOT NULL DEFAULT 'active',
	ADD COLUMN status_reason text COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE resources DROP CONSTRAINT resources_pkey, ADD PRIMARY KEY (app, env, uid, definition_id, driver);
-- A resource made by a stored definition records that definition's latest
-- version, the one earlier versions of paved deprovisioned it with; those
-- of built-in definitions are version 0.
UPDATE resources r SET definition_version = h.version FROM definition_heads h WHERE h.id = r.definition_id;

ALTER TABLE deployments
	ADD COLUMN kind text COLLATE "C" NOT NULL DEFAULT 'deploy',
	ADD COLUMN env_id text COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN env_type text COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN target text COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN source text COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN rollout text COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN replaced_by text COLLATE "C" NOT NULL DEFAULT '',
	ADD COLUMN plan jsonb NOT NULL DEFAULT 'null';
-- A deployment belongs to the incarnation of its environment that existed
-- when it was created (environments of one name never overlap in time).
UPDATE deployments d SET
	kind = CASE WHEN d.rollback_of != '' THEN 'rollback' ELSE 'deploy' END,
	source = d.rollback_of,
	env_id = COALESCE(e.id, ''), env_type = COALESCE(e.type, ''), target = COALESCE(e.target, '')
	FROM deployments x LEFT JOIN environments e ON e.app = x.app AND e.name = x.env AND e.created_at <= x.created_at
	WHERE x.n = d.n;
ALTER TABLE deployments DROP COLUMN rollback_of;

CREATE INDEX deployments_created ON deployments (created_at DESC, n DESC);
-- The last successful deployment of an environment incarnation.
CREATE INDEX deployments_env_finished ON deployments (env_id, status, finished_at DESC, n DESC);
DROP INDEX deployments_unfinished;
CREATE INDEX deployments_unfinished ON deployments (status, runner) WHERE status IN ('queued', 'running');

-- What was asked is written once; status moves queued → running →
-- succeeded | failed (or queued → failed) and then never changes; the
-- start time is written when it starts (queued → running) and only then;
-- the result (objects included) is written with the final status.
CREATE FUNCTION paved_deployments_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF (NEW.id, NEW.n, NEW.kind, NEW.app, NEW.env, NEW.env_id, NEW.env_type, NEW.target, NEW.author, NEW.commit_sha,
		NEW.commit_time, NEW.source, NEW.runner, NEW.created_at, NEW.specs, NEW.plan)
		IS DISTINCT FROM (OLD.id, OLD.n, OLD.kind, OLD.app, OLD.env, OLD.env_id, OLD.env_type, OLD.target, OLD.author,
		OLD.commit_sha, OLD.commit_time, OLD.source, OLD.runner, OLD.created_at, OLD.specs, OLD.plan)
		OR OLD.status IN ('succeeded', 'failed')
		OR (OLD.objects != 'null'::jsonb AND NEW.objects IS DISTINCT FROM OLD.objects)
		OR NOT ((OLD.status = 'queued' AND NEW.status IN ('running', 'failed'))
			OR (OLD.status = 'running' AND NEW.status IN ('running', 'succeeded', 'failed')))
		OR (NEW.started_at IS DISTINCT FROM OLD.started_at AND NOT (OLD.status = 'queued' AND NEW.status = 'running'))
		OR (NEW.status IN ('queued', 'running') AND (NEW.error, NEW.revision, NEW.rollout, NEW.replaced_by, NEW.finished_at, NEW.objects)
			IS DISTINCT FROM (OLD.error, OLD.revision, OLD.rollout, OLD.replaced_by, OLD.finished_at, OLD.objects)) THEN
		RAISE EXCEPTION 'paved: deployments are immutable: only a queued or running deployment changes, and only its status, times and result'
			USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER deployments_immutable BEFORE UPDATE ON deployments
	FOR EACH ROW EXECUTE FUNCTION paved_deployments_immutable();

CREATE TABLE settings (
	key   text COLLATE "C" PRIMARY KEY,
	value text NOT NULL
);
-- The audit log, newest first (ListAudit orders by time, then id).
CREATE INDEX audit_time ON audit (time, id);
