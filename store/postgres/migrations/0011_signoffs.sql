-- Sign-offs: a stakeholder role's approval of an app for production
-- (paved.SignOffStore). Only the latest of each role counts, so (app, role)
-- is the key and PutSignOff upserts on it (INSERT ... ON CONFLICT, atomic:
-- of two at once, the later replaces the earlier whole); ListSignOffs reads
-- one app's by the key, in role order (COLLATE "C": the byte order SQLite
-- sorts by). The digests hold what was approved (the role's policies, the
-- app's resource types); whether it still holds (Valid, Invalid) is
-- computed by the platform, not stored.
--
-- A sign-off names its app without a foreign key, as waivers do since
-- 0010: who approved what stays in the history when the app is deleted.

CREATE TABLE signoffs (
	app             text COLLATE "C" NOT NULL,
	role            text COLLATE "C" NOT NULL,
	signed_by       text COLLATE "C" NOT NULL,
	signed_at       timestamptz NOT NULL,
	policies_digest text COLLATE "C" NOT NULL DEFAULT '',
	types_digest    text COLLATE "C" NOT NULL DEFAULT '',
	PRIMARY KEY (app, role)
);
