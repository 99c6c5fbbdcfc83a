-- A rotation of the secret key seals every value again
-- (platform.Reseal): a finished deployment's objects, the only immutable
-- column that holds sealed values, may then be rewritten, and only along
-- with resealed counting the rewrite; nothing else of the row may change
-- in that update. Every other update keeps the rules of 0016 and leaves
-- resealed alone.
ALTER TABLE deployments ADD COLUMN resealed integer NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION paved_deployments_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.resealed IS DISTINCT FROM OLD.resealed THEN
		IF NEW.resealed IS DISTINCT FROM OLD.resealed + 1 OR NEW.n IS DISTINCT FROM OLD.n
			OR (NEW.id, NEW.kind, NEW.app, NEW.env, NEW.env_id, NEW.env_type, NEW.target, NEW.author, NEW.commit_sha, NEW.commit_time, NEW.source, NEW.runner, NEW.status, NEW.error, NEW.inventory, NEW.revision, NEW.rollout, NEW.replaced_by, NEW.created_at, NEW.started_at, NEW.finished_at, NEW.specs, NEW.plan, NEW.fix)
			IS DISTINCT FROM (OLD.id, OLD.kind, OLD.app, OLD.env, OLD.env_id, OLD.env_type, OLD.target, OLD.author, OLD.commit_sha, OLD.commit_time, OLD.source, OLD.runner, OLD.status, OLD.error, OLD.inventory, OLD.revision, OLD.rollout, OLD.replaced_by, OLD.created_at, OLD.started_at, OLD.finished_at, OLD.specs, OLD.plan, OLD.fix) THEN
			RAISE EXCEPTION 'paved: deployments are immutable: a key rotation changes only a deployment''s objects'
				USING ERRCODE = 'check_violation';
		END IF;
	ELSIF (NEW.id, NEW.n, NEW.kind, NEW.app, NEW.env, NEW.env_id, NEW.env_type, NEW.target, NEW.author, NEW.commit_sha,
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
