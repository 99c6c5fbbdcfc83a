-- Deployments record the server that runs them (runner). The table is
-- rebuilt rather than altered: ADD COLUMN would put runner after objects,
-- and reading a column behind objects walks its overflow pages, which lists
-- avoid by leaving objects last. Migrations run with foreign keys off (the
-- events table references this one) and are checked before they commit.

CREATE TABLE deployments_new (
	n           INTEGER PRIMARY KEY AUTOINCREMENT,
	id          TEXT NOT NULL UNIQUE,
	app         TEXT NOT NULL REFERENCES apps (name),
	env         TEXT NOT NULL,
	author      TEXT NOT NULL DEFAULT '',
	commit_sha  TEXT NOT NULL DEFAULT '',
	commit_time TEXT,
	specs       TEXT NOT NULL DEFAULT 'null',
	rollback_of TEXT NOT NULL DEFAULT '',
	runner      TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL,
	error       TEXT NOT NULL DEFAULT '',
	inventory   TEXT NOT NULL DEFAULT 'null',
	revision    TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	started_at  TEXT,
	finished_at TEXT,
	objects     TEXT NOT NULL DEFAULT 'null'
);
INSERT INTO deployments_new (n, id, app, env, author, commit_sha, commit_time, specs, rollback_of, runner, status,
	error, inventory, revision, created_at, started_at, finished_at, objects)
	SELECT n, id, app, env, author, commit_sha, commit_time, specs, rollback_of, '', status,
	error, inventory, revision, created_at, started_at, finished_at, objects FROM deployments;
-- Keep numbering after the highest n ever handed out, not the highest kept.
DELETE FROM sqlite_sequence WHERE name = 'deployments_new';
UPDATE sqlite_sequence SET name = 'deployments_new' WHERE name = 'deployments';
DROP TABLE deployments;
ALTER TABLE deployments_new RENAME TO deployments;

CREATE INDEX deployments_app_env_created ON deployments (app, env, created_at DESC, n DESC);
CREATE INDEX deployments_app_created ON deployments (app, created_at DESC, n DESC);
-- Only unfinished deployments are in this index, which FailRunning and
-- FailOrphaned scan.
CREATE INDEX deployments_unfinished ON deployments (status) WHERE status IN ('queued', 'running');
