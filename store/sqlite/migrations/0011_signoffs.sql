-- Sign-offs: a stakeholder role's approval of an app for production
-- (paved.SignOffStore). Only the latest of each role counts, so (app, role)
-- is the key and PutSignOff upserts on it; ListSignOffs reads one app's by
-- the key, in role order, without a sort. The digests hold what was
-- approved (the role's policies, the app's resource types); whether it
-- still holds (Valid, Invalid) is computed by the platform, not stored.
--
-- A sign-off names its app without a foreign key, as waivers do since
-- 0010: who approved what stays in the history when the app is deleted.

CREATE TABLE signoffs (
	app             TEXT NOT NULL,
	role            TEXT NOT NULL,
	signed_by       TEXT NOT NULL,
	signed_at       TEXT NOT NULL,
	policies_digest TEXT NOT NULL DEFAULT '',
	types_digest    TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (app, role)
);
