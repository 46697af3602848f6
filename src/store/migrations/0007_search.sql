-- arshif schema, migration 7: `search` checks each match (its article, version number and fetch
-- time, for "latest", `--site` and `--since`) in this index, keyed like the versions themselves,
-- instead of in the versions table, whose rows hold whole bodies: an index page holds about a
-- hundred entries where a table page holds one or two versions. A common word matching 37,000
-- versions read 37,000 table pages. Never edit once released: add a new numbered file instead.
CREATE INDEX versions_search ON versions(id, article_id, version, fetched_at);
