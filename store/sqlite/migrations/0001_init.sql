-- Timestamps are UTC text in a fixed-width RFC 3339 layout with microseconds
-- ("2006-01-02T15:04:05.000000Z") so that they sort as text and round-trip
-- exactly like PostgreSQL's timestamptz. JSON columns hold encoded maps and
-- slices.

CREATE TABLE teams (
	name       TEXT PRIMARY KEY,
	cohort     INTEGER NOT NULL DEFAULT 0,
	pioneering INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL
);

CREATE TABLE users (
	name       TEXT PRIMARY KEY,
	role       TEXT NOT NULL,
	teams      TEXT NOT NULL DEFAULT 'null',
	created_at TEXT NOT NULL
);

CREATE TABLE tokens (
	id         TEXT PRIMARY KEY,
	user_name  TEXT NOT NULL REFERENCES users (name),
	hash       BLOB NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT
);
CREATE UNIQUE INDEX tokens_hash ON tokens (hash);
CREATE INDEX tokens_user ON tokens (user_name);

CREATE TABLE apps (
	name       TEXT PRIMARY KEY,
	team       TEXT NOT NULL REFERENCES teams (name),
	created_at TEXT NOT NULL
);
CREATE INDEX apps_team ON apps (team);

CREATE TABLE environments (
	app        TEXT NOT NULL REFERENCES apps (name),
	name       TEXT NOT NULL,
	type       TEXT NOT NULL,
	target     TEXT NOT NULL DEFAULT '',
	namespace  TEXT NOT NULL DEFAULT '',
	"values"   TEXT NOT NULL DEFAULT 'null',
	expires_at TEXT,
	created_at TEXT NOT NULL,
	PRIMARY KEY (app, name)
);
CREATE INDEX environments_expires ON environments (expires_at) WHERE expires_at IS NOT NULL;

-- definition_heads holds the latest version of each definition; bumping it
-- with an upsert numbers versions without a race.
CREATE TABLE definition_heads (
	id      TEXT PRIMARY KEY,
	version INTEGER NOT NULL
);

CREATE TABLE definitions (
	id         TEXT NOT NULL,
	version    INTEGER NOT NULL,
	body       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (id, version)
);

-- A resource belongs to an environment, which cannot be deleted while it
-- still has resources: their sealed state is what deprovisioning needs.
CREATE TABLE resources (
	app           TEXT NOT NULL,
	env           TEXT NOT NULL,
	uid           TEXT NOT NULL,
	definition_id TEXT NOT NULL DEFAULT '',
	driver        TEXT NOT NULL DEFAULT '',
	outputs       TEXT NOT NULL DEFAULT 'null',
	secret_names  TEXT NOT NULL DEFAULT 'null',
	sealed        BLOB,
	labels        TEXT NOT NULL DEFAULT 'null',
	updated_at    TEXT NOT NULL,
	PRIMARY KEY (app, env, uid),
	FOREIGN KEY (app, env) REFERENCES environments (app, name)
);

-- Deployments outlive their environment (DORA metrics count the deployments
-- of expired previews), so they reference the app only. n breaks ties
-- between deployments created in the same microsecond. objects, the
-- largest column by far, comes last: lists do not read it.
CREATE TABLE deployments (
	n           INTEGER PRIMARY KEY AUTOINCREMENT,
	id          TEXT NOT NULL UNIQUE,
	app         TEXT NOT NULL REFERENCES apps (name),
	env         TEXT NOT NULL,
	author      TEXT NOT NULL DEFAULT '',
	commit_sha  TEXT NOT NULL DEFAULT '',
	commit_time TEXT,
	specs       TEXT NOT NULL DEFAULT 'null',
	rollback_of TEXT NOT NULL DEFAULT '',
	status      TEXT NOT NULL,
	error       TEXT NOT NULL DEFAULT '',
	inventory   TEXT NOT NULL DEFAULT 'null',
	revision    TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	started_at  TEXT,
	finished_at TEXT,
	objects     TEXT NOT NULL DEFAULT 'null'
);
CREATE INDEX deployments_app_env_created ON deployments (app, env, created_at DESC, n DESC);
CREATE INDEX deployments_app_created ON deployments (app, created_at DESC, n DESC);
-- Only unfinished deployments are in this index, which FailRunning scans.
CREATE INDEX deployments_unfinished ON deployments (status) WHERE status IN ('queued', 'running');

CREATE TABLE events (
	deployment TEXT NOT NULL REFERENCES deployments (id),
	seq        INTEGER NOT NULL,
	time       TEXT NOT NULL,
	level      TEXT NOT NULL DEFAULT '',
	message    TEXT NOT NULL,
	PRIMARY KEY (deployment, seq)
) WITHOUT ROWID;

CREATE TABLE audit (
	id     INTEGER PRIMARY KEY AUTOINCREMENT,
	time   TEXT NOT NULL,
	actor  TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	result TEXT NOT NULL DEFAULT ''
);
