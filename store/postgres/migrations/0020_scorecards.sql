-- Scorecards (paved.ScorecardStore): Rego modules of rules over an app's
-- facts, versioned as policies are (scorecard_versions holds each
-- version's whole scorecard as JSON in body, scorecard_heads the latest
-- version of each, which an upsert bumps); and apps' results over time.
--
-- scorecard_results keeps a result when it differs from the app's
-- previous one on that scorecard (level, rules passed and failed,
-- version), numbered per app and scorecard by seq: the key serves the
-- history newest first and the "latest" read of every record, and a
-- second writer of the same seq loses the conflict instead of adding a
-- duplicate. Results name their app without a foreign key, as sign-offs
-- do: the trend stays when the app goes.
--
-- Two indexes serve the facts: an app's deployments in one state by
-- creation (a success in each of the last weeks), and an app's
-- deployments to one environment type in one state (a preview used).

CREATE TABLE scorecard_heads (
	id      text COLLATE "C" PRIMARY KEY,
	version integer NOT NULL
);

CREATE TABLE scorecard_versions (
	id         text COLLATE "C" NOT NULL,
	version    integer NOT NULL,
	body       jsonb NOT NULL,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (id, version)
);

CREATE TABLE scorecard_results (
	app         text COLLATE "C" NOT NULL,
	scorecard   text COLLATE "C" NOT NULL,
	seq         integer NOT NULL,
	version     integer NOT NULL,
	level       text COLLATE "C" NOT NULL DEFAULT '',
	passed      jsonb NOT NULL DEFAULT '[]',
	failed      jsonb NOT NULL DEFAULT '[]',
	recorded_at timestamptz NOT NULL,
	PRIMARY KEY (app, scorecard, seq)
);

CREATE INDEX IF NOT EXISTS deployments_app_status_created ON deployments (app, status, created_at DESC, n DESC);
CREATE INDEX IF NOT EXISTS deployments_app_envtype_status ON deployments (app, env_type, status, created_at DESC, n DESC);
