-- Cost estimates: finance's price list and teams' budgets. price_lists
-- keeps every version of the installation's one price list (there is no
-- id: an installation has one), the whole price list as JSON in body, so
-- that what a past estimate was priced with can be read back; the latest
-- is the highest version. With no row to lock before the first version,
-- PutPriceList numbers versions under a transaction-scoped advisory lock,
-- without a race between servers. A team's budget is JSON in
-- teams.budget, null for a team without one (every existing team; the
-- column is added without a rewrite).

CREATE TABLE price_lists (
	version    integer PRIMARY KEY,
	body       jsonb NOT NULL,
	created_at timestamptz NOT NULL
);

ALTER TABLE teams ADD COLUMN budget jsonb NOT NULL DEFAULT 'null';
