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
	seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name       text COLLATE "C" NOT NULL,
	version    text COLLATE "C" NOT NULL,
	digest     text NOT NULL,
	body       jsonb NOT NULL,
	created_at timestamptz NOT NULL,
	UNIQUE (name, version)
);

CREATE TABLE scaffolds (
	id                 text COLLATE "C" PRIMARY KEY,
	app                text COLLATE "C" NOT NULL,
	team               text COLLATE "C" NOT NULL,
	template           text COLLATE "C" NOT NULL,
	version            text COLLATE "C" NOT NULL,
	created_by         text COLLATE "C" NOT NULL,
	created_at         timestamptz NOT NULL,
	time_saved_seconds bigint NOT NULL
);

CREATE INDEX scaffolds_newest ON scaffolds (created_at DESC, id DESC);
