-- DORA metrics (docs/dora.md): a deployment marked as a fix for a failed
-- change (paved deploy --fix), and the indexes DORA's aggregate queries
-- read. ADD COLUMN with a constant default rewrites no row; the column
-- lands after objects, which a read of the table row would have to walk
-- past, so the DORA queries read only the indexes below: they hold every
-- column those queries use (covering), one led by the app (an app's or a
-- team's figures) and one by the environment type (the organisation's).

ALTER TABLE deployments ADD COLUMN fix INTEGER NOT NULL DEFAULT 0;

CREATE INDEX deployments_dora_app ON deployments
	(app, env_type, created_at, n, env_id, kind, fix, status, started_at, finished_at, commit_time);
CREATE INDEX deployments_dora ON deployments
	(env_type, created_at, n, env_id, kind, fix, status, started_at, finished_at, commit_time);

-- The trigger of 0006 with fix among what is written once.
DROP TRIGGER deployments_immutable;
CREATE TRIGGER deployments_immutable BEFORE UPDATE ON deployments
WHEN NEW.id IS NOT OLD.id OR NEW.n IS NOT OLD.n OR NEW.kind IS NOT OLD.kind OR NEW.app IS NOT OLD.app
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
BEGIN
	SELECT RAISE(ABORT, 'paved: deployments are immutable: only a queued or running deployment changes, and only its status, times and result');
END;
