-- Waivers: a time-boxed exception to one policy rule for one app and
-- environment, asked for by the app's team and decided by the role that
-- owns the rule. Each field is a column of its own, not a JSON body: a
-- waiver changes once (requested → approved | rejected), which
-- DecideWaiver does in one UPDATE ... WHERE status = 'requested', and lists
-- filter on its columns. decided_by is '' and decided_at NULL until it is
-- decided.
--
-- A waiver names its app and environment without a foreign key, as a
-- deployment does since 0006: deleting an app keeps its waivers, who asked,
-- who decided and why, in the history.
--
-- The index serves ListWaivers of one app's environment in one state (the
-- approved waivers every plan reads) newest first, without a sort.

CREATE TABLE waivers (
	id           TEXT PRIMARY KEY,
	rule         TEXT NOT NULL,
	app          TEXT NOT NULL,
	env          TEXT NOT NULL,
	reason       TEXT NOT NULL,
	status       TEXT NOT NULL,
	requested_by TEXT NOT NULL,
	requested_at TEXT NOT NULL,
	owner        TEXT NOT NULL,
	decided_by   TEXT NOT NULL DEFAULT '',
	decided_at   TEXT,
	expires_at   TEXT NOT NULL
);
CREATE INDEX waivers_app_env_status ON waivers (app, env, status, requested_at DESC, id DESC);
