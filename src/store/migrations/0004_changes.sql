-- arshif schema, migration 4: the versions that are changes (version > 1) by time, so that
-- `list --changed --since` starts from the changes since then instead of visiting every
-- article. Never edit once released: add a new numbered file instead.
CREATE INDEX versions_changes ON versions(fetched_at) WHERE version > 1;
