-- arshif schema, migration 8: `list --changed` (every article that ever changed) reads this
-- partial covering index, in listing order, instead of seeking each changed article's table
-- row from `articles_first_seen`: one sequential read of what a listing shows, only for the
-- articles that changed. Kept up to date by SQLite like any index (the listing columns are
-- kept on `articles` by schema 6's triggers). Never edit once released: add a new numbered
-- file instead.
CREATE INDEX articles_changed ON articles(
    first_seen_at, id, url, host, last_seen_at, version_count, last_change_at, latest_title,
    gone_at
) WHERE last_change_at IS NOT NULL;
