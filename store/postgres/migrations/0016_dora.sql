-- DORA metrics (docs/dora.md): a deployment marked as a fix for a failed
-- change (paved deploy --fix), and the indexes DORA's aggregate queries
-- read: one led by the app (an app's or a team's figures) and one by the
-- environment type (the organisation's), each including every other column
-- those queries use, so that they are answered by index-only scans. ADD
-- COLUMN with a constant default rewrites no row.

ALTER TABLE deployments ADD COLUMN fix boolean NOT NULL DEFAULT false;

CREATE INDEX deployments_dora_app ON deployments (app, env_type, created_at, n)
	INCLUDE (env_id, kind, fix, status, started_at, finished_at, commit_time);
CREATE INDEX deployments_dora ON deployments (env_type, created_at, n)
	INCLUDE (env_id, kind, fix, status, started_at, finished_at, commit_time);

-- The function of 0005 with fix among what is written once.
CREATE OR REPLACE FUNCTION paved_deployments_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF (NEW.id, NEW.n, NEW.kind, NEW.app, NEW.env, NEW.env_id, NEW.env_type, NEW.target, NEW.author, NEW.commit_sha,
		NEW.commit_time, NEW.source, NEW.runner, NEW.fix, NEW.created_at, NEW.specs, NEW.plan)
		IS DISTINCT FROM (OLD.id, OLD.n, OLD.kind, OLD.app, OLD.env, OLD.env_id, OLD.env_type, OLD.target, OLD.author,
		OLD.commit_sha, OLD.commit_time, OLD.source, OLD.runner, OLD.fix, OLD.created_at, OLD.specs, OLD.plan)
		OR OLD.status IN ('succeeded', 'failed')
		OR (OLD.objects != 'null'::jsonb AND NEW.objects IS DISTINCT FROM OLD.objects)
		OR NOT ((OLD.status = 'queued' AND NEW.status IN ('running', 'failed'))
			OR (OLD.status = 'running' AND NEW.status IN ('running', 'succeeded', 'failed')))
		OR (NEW.started_at IS DISTINCT FROM OLD.started_at AND NOT (OLD.status = 'queued' AND NEW.status = 'running'))
		OR (NEW.status IN ('queued', 'running') AND (NEW.error, NEW.revision, NEW.rollout, NEW.replaced_by, NEW.finished_at, NEW.objects)
			IS DISTINCT FROM (OLD.error, OLD.revision, OLD.rollout, OLD.replaced_by, OLD.finished_at, OLD.objects)) THEN
		RAISE EXCEPTION 'paved: deployments are immutable: only a queued or running deployment changes, and only its status, times and result'
			USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END
$$;
