-- The core reshaped (see docs/storage.md):
--  * users can be disabled; tokens have a name, an issuer, a last use and a
--    revocation time;
--  * an environment has an id per incarnation and keeps its health;
--  * a resource is keyed by the definition that provisioned it too, so that
--    after a definition switch the old one is kept (orphaned) beside the new;
--  * deployments record their kind, source, environment incarnation, type and
--    target, their plan and rollout; their request is immutable (a trigger
--    refuses changes) and a finished deployment never changes;
--  * settings holds the installation id.

ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;

ALTER TABLE tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
ALTER TABLE tokens ADD COLUMN revoked_at TEXT;
-- Every token expires now: those issued before without an expiry get 90
-- days from the upgrade (the default lifetime); revoke them sooner with
-- paved user token revoke.
UPDATE tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now', '+90 days') WHERE expires_at IS NULL;

ALTER TABLE environments ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE environments ADD COLUMN health TEXT NOT NULL DEFAULT 'null';
UPDATE environments SET id = 'e-' || lower(hex(randomblob(8))) WHERE id = '';
CREATE UNIQUE INDEX environments_id ON environments (id);
CREATE INDEX environments_target_namespace ON environments (target, namespace);

CREATE TABLE resources_new (
	app                TEXT NOT NULL,
	env                TEXT NOT NULL,
	uid                TEXT NOT NULL,
	definition_id      TEXT NOT NULL DEFAULT '',
	definition_version INTEGER NOT NULL DEFAULT 0,
	driver             TEXT NOT NULL DEFAULT '',
	status             TEXT NOT NULL DEFAULT 'active',
	status_reason      TEXT NOT NULL DEFAULT '',
	outputs            TEXT NOT NULL DEFAULT 'null',
	secret_names       TEXT NOT NULL DEFAULT 'null',
	sealed             BLOB,
	labels             TEXT NOT NULL DEFAULT 'null',
	updated_at         TEXT NOT NULL,
	PRIMARY KEY (app, env, uid, definition_id, driver),
	FOREIGN KEY (app, env) REFERENCES environments (app, name)
);
-- A resource made by a stored definition records that definition's latest
-- version, the one earlier versions of paved deprovisioned it with; those
-- of built-in definitions are version 0.
INSERT INTO resources_new (app, env, uid, definition_id, definition_version, driver, outputs, secret_names, sealed, labels, updated_at)
	SELECT r.app, r.env, r.uid, r.definition_id, COALESCE(h.version, 0), r.driver, r.outputs, r.secret_names, r.sealed, r.labels, r.updated_at
	FROM resources r LEFT JOIN definition_heads h ON h.id = r.definition_id;
DROP TABLE resources;
ALTER TABLE resources_new RENAME TO resources;

-- Rebuilt, not altered, to keep objects the last column (see 0002).
CREATE TABLE deployments_new (
	n           INTEGER PRIMARY KEY AUTOINCREMENT,
	id          TEXT NOT NULL UNIQUE,
	kind        TEXT NOT NULL DEFAULT 'deploy',
	app         TEXT NOT NULL REFERENCES apps (name),
	env         TEXT NOT NULL,
	env_id      TEXT NOT NULL DEFAULT '',
	env_type    TEXT NOT NULL DEFAULT '',
	target      TEXT NOT NULL DEFAULT '',
	author      TEXT NOT NULL DEFAULT '',
	commit_sha  TEXT NOT NULL DEFAULT '',
	commit_time TEXT,
	source      TEXT NOT NULL DEFAULT '',
	runner      TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL,
	error       TEXT NOT NULL DEFAULT '',
	inventory   TEXT NOT NULL DEFAULT 'null',
	revision    TEXT NOT NULL DEFAULT '',
	rollout     TEXT NOT NULL DEFAULT '',
	replaced_by TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	started_at  TEXT,
	finished_at TEXT,
	specs       TEXT NOT NULL DEFAULT 'null',
	plan        TEXT NOT NULL DEFAULT 'null',
	objects     TEXT NOT NULL DEFAULT 'null'
);
-- A deployment belongs to the incarnation of its environment that existed
-- when it was created (environments of one name never overlap in time).
INSERT INTO deployments_new (n, id, kind, app, env, env_id, env_type, target, author, commit_sha, commit_time, source,
	runner, status, error, inventory, revision, rollout, created_at, started_at, finished_at, specs, plan, objects)
	SELECT d.n, d.id, CASE WHEN d.rollback_of != '' THEN 'rollback' ELSE 'deploy' END, d.app, d.env,
		COALESCE(e.id, ''), COALESCE(e.type, ''), COALESCE(e.target, ''), d.author, d.commit_sha, d.commit_time,
		d.rollback_of, d.runner, d.status, d.error, d.inventory, d.revision, '', d.created_at, d.started_at,
		d.finished_at, d.specs, 'null', d.objects
	FROM deployments d LEFT JOIN environments e ON e.app = d.app AND e.name = d.env AND e.created_at <= d.created_at;
DELETE FROM sqlite_sequence WHERE name = 'deployments_new';
UPDATE sqlite_sequence SET name = 'deployments_new' WHERE name = 'deployments';
DROP TABLE deployments;
ALTER TABLE deployments_new RENAME TO deployments;

CREATE INDEX deployments_app_env_created ON deployments (app, env, created_at DESC, n DESC);
CREATE INDEX deployments_app_created ON deployments (app, created_at DESC, n DESC);
CREATE INDEX deployments_created ON deployments (created_at DESC, n DESC);
-- The last successful deployment of an environment incarnation.
CREATE INDEX deployments_env_finished ON deployments (env_id, status, finished_at DESC, n DESC);
-- Only unfinished deployments are in this index, which FailOrphaned scans.
CREATE INDEX deployments_unfinished ON deployments (status, runner) WHERE status IN ('queued', 'running');

-- What was asked is written once; status moves queued → running →
-- succeeded | failed (or queued → failed) and then never changes; the
-- start time is written when it starts (queued → running) and only then;
-- the result (objects included) is written with the final status.
CREATE TRIGGER deployments_immutable BEFORE UPDATE ON deployments
WHEN NEW.id IS NOT OLD.id OR NEW.n IS NOT OLD.n OR NEW.kind IS NOT OLD.kind OR NEW.app IS NOT OLD.app
	OR NEW.env IS NOT OLD.env OR NEW.env_id IS NOT OLD.env_id OR NEW.env_type IS NOT OLD.env_type
	OR NEW.target IS NOT OLD.target OR NEW.author IS NOT OLD.author OR NEW.commit_sha IS NOT OLD.commit_sha
	OR NEW.commit_time IS NOT OLD.commit_time OR NEW.source IS NOT OLD.source OR NEW.runner IS NOT OLD.runner
	OR NEW.created_at IS NOT OLD.created_at OR NEW.specs IS NOT OLD.specs OR NEW.plan IS NOT OLD.plan
	OR OLD.status IN ('succeeded', 'failed')
	OR (OLD.objects != 'null' AND NEW.objects IS NOT OLD.objects)
	OR NOT ((OLD.status = 'queued' AND NEW.status IN ('running', 'failed'))
		OR (OLD.status = 'running' AND NEW.status IN ('running', 'succeeded', 'failed')))
	OR (NEW.started_at IS NOT OLD.started_at AND NOT (OLD.status = 'queued' AND NEW.status = 'running'))
	OR (NEW.status IN ('queued', 'running') AND (NEW.error IS NOT OLD.error OR NEW.revision IS NOT OLD.revision
		OR NEW.rollout IS NOT OLD.rollout OR NEW.replaced_by IS NOT OLD.replaced_by OR NEW.finished_at IS NOT OLD.finished_at
		OR NEW.objects IS NOT OLD.objects))
BEGIN
	SELECT RAISE(ABORT, 'paved: deployments are immutable: only a queued or running deployment changes, and only its status, times and result');
END;

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;
-- The audit log, newest first (ListAudit orders by time, then id).
CREATE INDEX audit_time ON audit (time, id);
