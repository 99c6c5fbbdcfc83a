-- Deployments outlive their app, as they outlive their environment (see
-- 0001): DORA metrics count the deployments of an app that is gone, and an
-- app that has deployments can be deleted. deployments.app references
-- apps no more; CreateDeployment checks the app exists instead (and locks
-- its row, as the foreign key did). Dropping a constraint rewrites no row;
-- the indexes and the deployments_immutable trigger stay as they are.
ALTER TABLE deployments DROP CONSTRAINT deployments_app_fkey;
