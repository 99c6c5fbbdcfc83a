-- Registered targets (clusters added at run time). The kubeconfig is never
-- stored in clear: the platform seals it into sealed, opaque bytes here,
-- NULL for a target that needs none (in_cluster).

CREATE TABLE targets (
	name       TEXT PRIMARY KEY,
	type       TEXT NOT NULL,
	context    TEXT NOT NULL DEFAULT '',
	in_cluster INTEGER NOT NULL DEFAULT 0,
	server     TEXT NOT NULL DEFAULT '',
	sealed     BLOB,
	created_at TEXT NOT NULL
);
