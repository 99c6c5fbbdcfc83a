-- Several servers on one database (see docs/storage.md): servers holds each
-- server's last heartbeat, leases the named locks they take for a while.

CREATE TABLE servers (
	id      text COLLATE "C" PRIMARY KEY,
	seen_at timestamptz NOT NULL
);

CREATE TABLE leases (
	name   text COLLATE "C" PRIMARY KEY,
	holder text COLLATE "C" NOT NULL,
	until  timestamptz NOT NULL
);
