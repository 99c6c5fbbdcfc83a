-- Waivers: a time-boxed exception to one policy rule for one app and
-- environment, asked for by the app's team and decided by the role that
-- owns the rule. Each field is a column of its own, not a JSON body: a
-- waiver changes once (requested → approved | rejected), which
-- DecideWaiver does in one UPDATE ... WHERE status = 'requested' (servers
-- deciding the same waiver at once queue on its row, and the update
-- re-checks the status after the wait: one wins), and lists filter on its
-- columns. decided_by is '' and decided_at NULL until it is decided.
--
-- A waiver names its app and environment without a foreign key, as a
-- deployment does since 0006: deleting an app keeps its waivers, who asked,
-- who decided and why, in the history.
--
-- The index serves ListWaivers of one app's environment in one state (the
-- approved waivers every plan reads) newest first, without a sort.

CREATE TABLE waivers (
	id           text COLLATE "C" PRIMARY KEY,
	rule         text COLLATE "C" NOT NULL,
	app          text COLLATE "C" NOT NULL,
	env          text COLLATE "C" NOT NULL,
	reason       text COLLATE "C" NOT NULL,
	status       text COLLATE "C" NOT NULL,
	requested_by text COLLATE "C" NOT NULL,
	requested_at timestamptz NOT NULL,
	owner        text COLLATE "C" NOT NULL,
	decided_by   text COLLATE "C" NOT NULL DEFAULT '',
	decided_at   timestamptz,
	expires_at   timestamptz NOT NULL
);
CREATE INDEX waivers_app_env_status ON waivers (app, env, status, requested_at DESC, id DESC);
