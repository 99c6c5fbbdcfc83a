-- Manual checks (paved.CheckStore): what the platform team asks a person
-- of a named role to confirm, in production readiness ("readiness") or a
-- phase of the MVP program ("program.<phase>"); and the confirmations,
-- one per check and subject (an app, an iteration of the program). A
-- check's confirmations go with it (DeleteCheck deletes both in one
-- transaction; no foreign key, so that the delete is explicit in both
-- stores).

CREATE TABLE manual_checks (
	scope      text COLLATE "C" NOT NULL,
	id         text COLLATE "C" NOT NULL,
	title      text COLLATE "C" NOT NULL,
	how        text COLLATE "C" NOT NULL DEFAULT '',
	role       text COLLATE "C" NOT NULL,
	created_by text COLLATE "C" NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	PRIMARY KEY (scope, id)
);

CREATE TABLE check_confirmations (
	scope        text COLLATE "C" NOT NULL,
	check_id     text COLLATE "C" NOT NULL,
	subject      text COLLATE "C" NOT NULL,
	confirmed_by text COLLATE "C" NOT NULL,
	role         text COLLATE "C" NOT NULL,
	confirmed_at timestamptz NOT NULL,
	PRIMARY KEY (scope, subject, check_id)
);
