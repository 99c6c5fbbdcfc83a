-- Registered targets (clusters added at run time). The kubeconfig is never
-- stored in clear: the platform seals it into sealed, opaque bytes here,
-- NULL for a target that needs none (in_cluster).

CREATE TABLE targets (
	name       text COLLATE "C" PRIMARY KEY,
	type       text COLLATE "C" NOT NULL,
	context    text COLLATE "C" NOT NULL DEFAULT '',
	in_cluster boolean NOT NULL DEFAULT false,
	server     text COLLATE "C" NOT NULL DEFAULT '',
	sealed     bytea,
	created_at timestamptz NOT NULL
);
