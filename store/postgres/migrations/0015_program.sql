-- The MVP program (paved.ProgramStore): one document, versioned (the
-- writer checks the version it replaces); feedback and the roadmap
-- (paved.FeedbackStore): feedback a row each, numbered, linked to at most
-- one roadmap item; an item's votes one row per voter, so that a user
-- votes once.

CREATE TABLE program (
	id         integer PRIMARY KEY CHECK (id = 1),
	version    integer NOT NULL,
	body       jsonb NOT NULL,
	updated_at timestamptz NOT NULL
);

CREATE TABLE feedback (
	id         bigserial PRIMARY KEY,
	author     text COLLATE "C" NOT NULL,
	body       text NOT NULL,
	source     text COLLATE "C" NOT NULL,
	created_at timestamptz NOT NULL,
	item       text COLLATE "C" NOT NULL DEFAULT ''
);
CREATE INDEX feedback_created ON feedback (created_at DESC, id DESC);
CREATE INDEX feedback_item ON feedback (item, id);

CREATE TABLE roadmap_items (
	id         text COLLATE "C" PRIMARY KEY,
	title      text NOT NULL,
	status     text COLLATE "C" NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL
);

CREATE TABLE roadmap_votes (
	item     text COLLATE "C" NOT NULL,
	voter    text COLLATE "C" NOT NULL,
	voted_at timestamptz NOT NULL,
	PRIMARY KEY (item, voter)
);
