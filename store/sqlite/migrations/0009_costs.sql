-- Cost estimates: finance's price list and teams' budgets.
--  * price_lists keeps every version of the installation's one price list
--    (there is no id: an installation has one), the whole price list as
--    JSON in body, so that what a past estimate was priced with can be
--    read back; the latest is the highest version, which PutPriceList
--    numbers under the exclusive writer;
--  * a team's budget is JSON in teams.budget, null for a team without one
--    (every existing team).

CREATE TABLE price_lists (
	version    INTEGER PRIMARY KEY,
	body       TEXT NOT NULL,
	created_at TEXT NOT NULL
);

ALTER TABLE teams ADD COLUMN budget TEXT NOT NULL DEFAULT 'null';
