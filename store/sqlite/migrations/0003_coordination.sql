-- Several servers on one database (see docs/storage.md): servers holds each
-- server's last heartbeat, leases the named locks they take for a while.

CREATE TABLE servers (
	id      TEXT PRIMARY KEY,
	seen_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE leases (
	name   TEXT PRIMARY KEY,
	holder TEXT NOT NULL,
	until  TEXT NOT NULL
) WITHOUT ROWID;
