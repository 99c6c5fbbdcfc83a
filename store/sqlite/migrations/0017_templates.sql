-- Golden-path templates (paved.Template) keep every version: templates
-- holds each version's whole template, files included, as JSON in body;
-- seq orders them as they were stored, so the latest of a name is its
-- highest seq. A version is stored once (name, version): the same
-- version again must have the same digest.
--
-- scaffolds records each service scaffolded from a template with the time
-- it was assumed to save (the platform's setting then), which adoption
-- reports sum. The app is named, not referenced: the record outlives it.

CREATE TABLE templates (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL,
	version    TEXT NOT NULL,
	digest     TEXT NOT NULL,
	body       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	UNIQUE (name, version)
);

CREATE TABLE scaffolds (
	id                 TEXT PRIMARY KEY,
	app                TEXT NOT NULL,
	team               TEXT NOT NULL,
	template           TEXT NOT NULL,
	version            TEXT NOT NULL,
	created_by         TEXT NOT NULL,
	created_at         TEXT NOT NULL,
	time_saved_seconds INTEGER NOT NULL
);

CREATE INDEX scaffolds_newest ON scaffolds (created_at DESC, id DESC);
