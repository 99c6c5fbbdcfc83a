-- A rotation of the secret key seals every value again
-- (platform.Reseal): a finished deployment's objects, the only immutable
-- column that holds sealed values, may then be rewritten, and only along
-- with resealed counting the rewrite; nothing else of the row may change
-- in that update. Every other update keeps the rules of 0016 and leaves
-- resealed alone.
ALTER TABLE deployments ADD COLUMN resealed INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER deployments_immutable;
CREATE TRIGGER deployments_immutable BEFORE UPDATE ON deployments
WHEN CASE WHEN NEW.resealed IS NOT OLD.resealed THEN
		NEW.resealed IS NOT OLD.resealed + 1 OR NEW.n IS NOT OLD.n
		OR NEW.id IS NOT OLD.id
		OR NEW.kind IS NOT OLD.kind
		OR NEW.app IS NOT OLD.app
		OR NEW.env IS NOT OLD.env
		OR NEW.env_id IS NOT OLD.env_id
		OR NEW.env_type IS NOT OLD.env_type
		OR NEW.target IS NOT OLD.target
		OR NEW.author IS NOT OLD.author
		OR NEW.commit_sha IS NOT OLD.commit_sha
		OR NEW.commit_time IS NOT OLD.commit_time
		OR NEW.source IS NOT OLD.source
		OR NEW.runner IS NOT OLD.runner
		OR NEW.status IS NOT OLD.status
		OR NEW.error IS NOT OLD.error
		OR NEW.inventory IS NOT OLD.inventory
		OR NEW.revision IS NOT OLD.revision
		OR NEW.rollout IS NOT OLD.rollout
		OR NEW.replaced_by IS NOT OLD.replaced_by
		OR NEW.created_at IS NOT OLD.created_at
		OR NEW.started_at IS NOT OLD.started_at
		OR NEW.finished_at IS NOT OLD.finished_at
		OR NEW.specs IS NOT OLD.specs
		OR NEW.plan IS NOT OLD.plan
		OR NEW.fix IS NOT OLD.fix
	ELSE
		NEW.id IS NOT OLD.id OR NEW.n IS NOT OLD.n OR NEW.kind IS NOT OLD.kind OR NEW.app IS NOT OLD.app
	OR NEW.env IS NOT OLD.env OR NEW.env_id IS NOT OLD.env_id OR NEW.env_type IS NOT OLD.env_type
	OR NEW.target IS NOT OLD.target OR NEW.author IS NOT OLD.author OR NEW.commit_sha IS NOT OLD.commit_sha
	OR NEW.commit_time IS NOT OLD.commit_time OR NEW.source IS NOT OLD.source OR NEW.runner IS NOT OLD.runner
	OR NEW.fix IS NOT OLD.fix
	OR NEW.created_at IS NOT OLD.created_at OR NEW.specs IS NOT OLD.specs OR NEW.plan IS NOT OLD.plan
	OR OLD.status IN ('succeeded', 'failed')
	OR (OLD.objects != 'null' AND NEW.objects IS NOT OLD.objects)
	OR NOT ((OLD.status = 'queued' AND NEW.status IN ('running', 'failed'))
		OR (OLD.status = 'running' AND NEW.status IN ('running', 'succeeded', 'failed')))
	OR (NEW.started_at IS NOT OLD.started_at AND NOT (OLD.status = 'queued' AND NEW.status = 'running'))
	OR (NEW.status IN ('queued', 'running') AND (NEW.error IS NOT OLD.error OR NEW.revision IS NOT OLD.revision
		OR NEW.rollout IS NOT OLD.rollout OR NEW.replaced_by IS NOT OLD.replaced_by OR NEW.finished_at IS NOT OLD.finished_at
		OR NEW.objects IS NOT OLD.objects))
	END
BEGIN
	SELECT RAISE(ABORT, 'paved: deployments are immutable: only a queued or running deployment changes, and only its status, times and result (or, in a key rotation, its objects sealed again)');
END;
