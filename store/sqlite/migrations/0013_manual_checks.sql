-- Manual checks (paved.CheckStore): what the platform team asks a person
-- of a named role to confirm, in production readiness ("readiness") or a
-- phase of the MVP program ("program.<phase>"); and the confirmations,
-- one per check and subject (an app, an iteration of the program). A
-- check's confirmations go with it (DeleteCheck deletes both in one
-- transaction; no foreign key, so that the delete is explicit in both
-- stores).

CREATE TABLE manual_checks (
	scope      TEXT NOT NULL,
	id         TEXT NOT NULL,
	title      TEXT NOT NULL,
	how        TEXT NOT NULL DEFAULT '',
	role       TEXT NOT NULL,
	created_by TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	PRIMARY KEY (scope, id)
);

CREATE TABLE check_confirmations (
	scope        TEXT NOT NULL,
	check_id     TEXT NOT NULL,
	subject      TEXT NOT NULL,
	confirmed_by TEXT NOT NULL,
	role         TEXT NOT NULL,
	confirmed_at TEXT NOT NULL,
	PRIMARY KEY (scope, subject, check_id)
);
