-- Indexes for production readiness, which every readiness page and every
-- production deployment in MVP mode computes:
--  * an environment incarnation's deployments in one state by creation
--    (did staging succeed before a week ago? did it fail since?), and
--  * an app's deployments of one kind in one state (a rollback that
--    succeeded), which without it read every deployment of the app.
CREATE INDEX IF NOT EXISTS deployments_env_status_created ON deployments (env_id, status, created_at DESC, n DESC);
CREATE INDEX IF NOT EXISTS deployments_app_kind_status ON deployments (app, kind, status, created_at DESC, n DESC);
-- PostgreSQL builds each index under a SHARE lock on deployments, inside
-- the migration's transaction: writes to deployments wait until it ends
-- (seconds per million rows). Migrate at a quiet time, or create both
-- indexes first with CREATE INDEX CONCURRENTLY under these names.
