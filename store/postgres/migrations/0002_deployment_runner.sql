-- Deployments record the server that runs them. Existing rows get ''
-- (no runner). ADD COLUMN with a constant default rewrites no rows; the
-- column lands after objects, which costs PostgreSQL little: a large
-- objects value is stored out of line and skipped by its pointer.
ALTER TABLE deployments ADD COLUMN runner text COLLATE "C" NOT NULL DEFAULT '';
