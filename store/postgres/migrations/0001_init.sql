-- Timestamps are timestamptz (microseconds, returned in UTC by the store);
-- JSON columns are jsonb. Text sorts bytewise (COLLATE "C"), as in SQLite,
-- so that lists come back in the same order from both stores.

CREATE TABLE teams (
	name       text COLLATE "C" PRIMARY KEY,
	cohort     integer NOT NULL DEFAULT 0,
	pioneering boolean NOT NULL DEFAULT false,
	created_at timestamptz NOT NULL
);

CREATE TABLE users (
	name       text COLLATE "C" PRIMARY KEY,
	role       text COLLATE "C" NOT NULL,
	teams      jsonb NOT NULL DEFAULT 'null',
	created_at timestamptz NOT NULL
);

CREATE TABLE tokens (
	id         text COLLATE "C" PRIMARY KEY,
	user_name  text COLLATE "C" NOT NULL CONSTRAINT tokens_user_fkey REFERENCES users (name),
	hash       bytea NOT NULL CONSTRAINT tokens_hash_key UNIQUE,
	created_at timestamptz NOT NULL,
	expires_at timestamptz
);
CREATE INDEX tokens_user ON tokens (user_name);

CREATE TABLE apps (
	name       text COLLATE "C" PRIMARY KEY,
	team       text COLLATE "C" NOT NULL CONSTRAINT apps_team_fkey REFERENCES teams (name),
	created_at timestamptz NOT NULL
);
CREATE INDEX apps_team ON apps (team);

CREATE TABLE environments (
	app        text COLLATE "C" NOT NULL CONSTRAINT environments_app_fkey REFERENCES apps (name),
	name       text COLLATE "C" NOT NULL,
	type       text COLLATE "C" NOT NULL,
	target     text COLLATE "C" NOT NULL DEFAULT '',
	namespace  text COLLATE "C" NOT NULL DEFAULT '',
	"values"   jsonb NOT NULL DEFAULT 'null',
	expires_at timestamptz,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (app, name)
);
CREATE INDEX environments_expires ON environments (expires_at) WHERE expires_at IS NOT NULL;

-- definition_heads holds the latest version of each definition; bumping it
-- with an upsert numbers versions without a race between servers.
CREATE TABLE definition_heads (
	id      text COLLATE "C" PRIMARY KEY,
	version integer NOT NULL
);

CREATE TABLE definitions (
	id         text COLLATE "C" NOT NULL,
	version    integer NOT NULL,
	body       jsonb NOT NULL,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (id, version)
);

-- A resource belongs to an environment, which cannot be deleted while it
-- still has resources: their sealed state is what deprovisioning needs.
CREATE TABLE resources (
	app           text COLLATE "C" NOT NULL,
	env           text COLLATE "C" NOT NULL,
	uid           text COLLATE "C" NOT NULL,
	definition_id text COLLATE "C" NOT NULL DEFAULT '',
	driver        text COLLATE "C" NOT NULL DEFAULT '',
	outputs       jsonb NOT NULL DEFAULT 'null',
	secret_names  jsonb NOT NULL DEFAULT 'null',
	sealed        bytea,
	labels        jsonb NOT NULL DEFAULT 'null',
	updated_at    timestamptz NOT NULL,
	PRIMARY KEY (app, env, uid),
	CONSTRAINT resources_env_fkey FOREIGN KEY (app, env) REFERENCES environments (app, name)
);

-- Deployments outlive their environment (DORA metrics count the deployments
-- of expired previews), so they reference the app only. n breaks ties
-- between deployments created in the same microsecond. objects, the
-- largest column by far, comes last: lists do not read it.
CREATE TABLE deployments (
	n           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id          text COLLATE "C" NOT NULL CONSTRAINT deployments_id_key UNIQUE,
	app         text COLLATE "C" NOT NULL CONSTRAINT deployments_app_fkey REFERENCES apps (name),
	env         text COLLATE "C" NOT NULL,
	author      text COLLATE "C" NOT NULL DEFAULT '',
	commit_sha  text COLLATE "C" NOT NULL DEFAULT '',
	commit_time timestamptz,
	specs       jsonb NOT NULL DEFAULT 'null',
	rollback_of text COLLATE "C" NOT NULL DEFAULT '',
	status      text COLLATE "C" NOT NULL,
	error       text COLLATE "C" NOT NULL DEFAULT '',
	inventory   jsonb NOT NULL DEFAULT 'null',
	revision    text COLLATE "C" NOT NULL DEFAULT '',
	created_at  timestamptz NOT NULL,
	started_at  timestamptz,
	finished_at timestamptz,
	objects     jsonb NOT NULL DEFAULT 'null'
);
CREATE INDEX deployments_app_env_created ON deployments (app, env, created_at DESC, n DESC);
CREATE INDEX deployments_app_created ON deployments (app, created_at DESC, n DESC);
-- Only unfinished deployments are in this index, which FailRunning scans.
CREATE INDEX deployments_unfinished ON deployments (status) WHERE status IN ('queued', 'running');

CREATE TABLE events (
	deployment text COLLATE "C" NOT NULL CONSTRAINT events_deployment_fkey REFERENCES deployments (id),
	seq        bigint NOT NULL,
	time       timestamptz NOT NULL,
	level      text COLLATE "C" NOT NULL DEFAULT '',
	message    text COLLATE "C" NOT NULL,
	PRIMARY KEY (deployment, seq)
);

CREATE TABLE audit (
	id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	time   timestamptz NOT NULL,
	actor  text COLLATE "C" NOT NULL,
	action text COLLATE "C" NOT NULL,
	target text COLLATE "C" NOT NULL DEFAULT '',
	result text COLLATE "C" NOT NULL DEFAULT ''
);
