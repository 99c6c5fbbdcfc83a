-- Deployments outlive their app, as they outlive their environment (see
-- 0001): DORA metrics count the deployments of an app that is gone, and an
-- app that has deployments can be deleted. deployments.app references
-- apps no more; CreateDeployment checks the app exists instead.
--
-- SQLite cannot drop a foreign key, so the table is rebuilt as 0005 did:
-- the same columns in the same order (objects last), every row with its n,
-- the counter that numbers new ones, the same indexes and the same trigger.
-- events still references deployments (id): the new table takes the name
-- that reference names. Migrations run with foreign keys off and are
-- checked before they commit.

CREATE TABLE deployments_new (
	n           INTEGER PRIMARY KEY AUTOINCREMENT,
	id          TEXT NOT NULL UNIQUE,
	kind        TEXT NOT NULL DEFAULT 'deploy',
	app         TEXT NOT NULL,
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
INSERT INTO deployments_new (n, id, kind, app, env, env_id, env_type, target, author, commit_sha, commit_time, source,
	runner, status, error, inventory, revision, rollout, replaced_by, created_at, started_at, finished_at, specs, plan, objects)
	SELECT n, id, kind, app, env, env_id, env_type, target, author, commit_sha, commit_time, source,
	runner, status, error, inventory, revision, rollout, replaced_by, created_at, started_at, finished_at, specs, plan, objects
	FROM deployments;
-- Keep numbering after the highest n ever handed out, not the highest kept.
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

-- The trigger of 0005, unchanged (it went with the old table): what was
-- asked is written once; status moves queued → running → succeeded | failed
-- (or queued → failed) and then never changes; the start time is written
-- when it starts (queued → running) and only then; the result (objects
-- included) is written with the final status.
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
