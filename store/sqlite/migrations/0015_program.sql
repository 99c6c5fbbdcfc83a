-- The MVP program (paved.ProgramStore): one document, versioned (the
-- writer checks the version it replaces); feedback and the roadmap
-- (paved.FeedbackStore): feedback a row each, numbered, linked to at most
-- one roadmap item; an item's votes one row per voter, so that a user
-- votes once.

CREATE TABLE program (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	version    INTEGER NOT NULL,
	body       TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE feedback (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	author     TEXT NOT NULL,
	body       TEXT NOT NULL,
	source     TEXT NOT NULL,
	created_at TEXT NOT NULL,
	item       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX feedback_created ON feedback (created_at DESC, id DESC);
CREATE INDEX feedback_item ON feedback (item, id);

CREATE TABLE roadmap_items (
	id         TEXT PRIMARY KEY,
	title      TEXT NOT NULL,
	status     TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

CREATE TABLE roadmap_votes (
	item     TEXT NOT NULL,
	voter    TEXT NOT NULL,
	voted_at TEXT NOT NULL,
	PRIMARY KEY (item, voter)
);
