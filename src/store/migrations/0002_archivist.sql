-- arshif schema, migration 2: search, change statistics, takedowns, request headers, run
-- bookkeeping for cron, and views for people. Never edit once released: add a new numbered file instead.

-- Runs of `arshif run` name their site, and where the next run of the same start resumes.
ALTER TABLE runs ADD COLUMN site TEXT;
ALTER TABLE runs ADD COLUMN resume_url TEXT;
CREATE INDEX runs_start ON runs(start_url, id);

-- robots.txt answers kept for up to 24 hours (RFC 9309), so a cron run with nothing due
-- sends no request. Only definite answers are kept: a body (2xx) or "none" (4xx).
CREATE TABLE robots_cache (
    host        TEXT PRIMARY KEY,             -- host:port
    fetched_at  TEXT NOT NULL,                -- RFC 3339 UTC
    status      INTEGER NOT NULL,             -- the HTTP status
    body        BLOB                          -- the robots.txt body for a 2xx, NULL otherwise
) WITHOUT ROWID;

-- The request headers arshif sent (JSON array of [name, value] pairs), for WARC request records.
ALTER TABLE fetches ADD COLUMN request_headers TEXT;

CREATE INDEX fetches_capture ON fetches(capture_digest) WHERE capture_digest IS NOT NULL;
CREATE INDEX fetches_payload ON fetches(payload_digest) WHERE payload_digest IS NOT NULL;
CREATE INDEX fetches_requested_at ON fetches(requested_at);
CREATE INDEX versions_fetched_at ON versions(fetched_at);
CREATE INDEX articles_host ON articles(host);
CREATE INDEX articles_last_seen ON articles(last_seen_at);
CREATE INDEX articles_first_seen ON articles(first_seen_at);

-- What each version changed against the one before it (written with the version).
CREATE TABLE version_changes (
    version_id     INTEGER PRIMARY KEY REFERENCES versions(id),
    title_changed  INTEGER NOT NULL,          -- 0 or 1
    chars_added    INTEGER NOT NULL,          -- body characters inserted (whitespace not counted)
    chars_removed  INTEGER NOT NULL           -- body characters deleted (whitespace not counted)
);

-- Full-text search over a folded copy of each version's title and body (rowid = versions.id),
-- and of their light stems (Arabic proclitics و ف ال لل بال كال لال removed from each word).
-- Contentless (readable by any SQLite with FTS5, 3.9 on): the text lives in `versions`; rows
-- are removed with the FTS5 'delete' command and the indexed values. Queries must be folded the way arshif folds
-- (see the README: hamza, alef maqsura, ta marbuta, harakat, tatweel, digits, accents).
CREATE VIRTUAL TABLE search_index USING fts5(
    title, body, title_stems, body_stems,
    content = '',
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Takedowns: an append-only log of `arshif redact` and `arshif unredact`. An article whose last
-- entry is 'redact' is a tombstone: its text and captures are gone and it is never re-archived.
CREATE TABLE redactions (
    id                INTEGER PRIMARY KEY,
    article_id        INTEGER NOT NULL REFERENCES articles(id),
    url               TEXT NOT NULL,
    action            TEXT NOT NULL CHECK (action IN ('redact', 'unredact')),
    at                TEXT NOT NULL,          -- RFC 3339 UTC
    reason            TEXT NOT NULL,
    versions_removed  INTEGER NOT NULL DEFAULT 0,
    captures_removed  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX redactions_article ON redactions(article_id, id);

CREATE TRIGGER redactions_append_only_update BEFORE UPDATE ON redactions
BEGIN SELECT RAISE(ABORT, 'redactions are append-only'); END;
CREATE TRIGGER redactions_append_only_delete BEFORE DELETE ON redactions
BEGIN SELECT RAISE(ABORT, 'redactions are append-only'); END;

-- Versions stay append-only; the one exception is an article under a takedown.
DROP TRIGGER versions_append_only_delete;
CREATE TRIGGER versions_append_only_delete BEFORE DELETE ON versions
WHEN (SELECT action FROM redactions WHERE article_id = OLD.article_id ORDER BY id DESC LIMIT 1)
     IS NOT 'redact'
BEGIN SELECT RAISE(ABORT, 'versions are append-only (only arshif redact removes them)'); END;

-- Views for people (sqlite3, Datasette, sqlite-utils). Their columns are a stable interface.

-- The newest version of every archived article.
CREATE VIEW latest_versions AS
SELECT a.url, a.host, v.version, v.version AS version_count, v.fetched_at, v.title, v.body,
       v.published_at, v.modified_at, v.authors, v.language, v.canonical_url, v.fetched_url,
       v.content_hash, a.first_seen_at, a.last_seen_at, v.id AS version_id
FROM articles a
JOIN versions v ON v.article_id = a.id
WHERE v.version = (SELECT max(version) FROM versions WHERE article_id = a.id);

-- Every change after the first version: when, and how much.
CREATE VIEW article_changes AS
SELECT a.url, v.version, v.fetched_at, c.title_changed, c.chars_added, c.chars_removed,
       v.title, v.id AS version_id
FROM versions v
JOIN articles a ON a.id = v.article_id
LEFT JOIN version_changes c ON c.version_id = v.id
WHERE v.version > 1;

-- Every HTTP attempt, with its host and the article it belonged to.
CREATE VIEW fetch_log AS
SELECT f.id, f.requested_at,
       substr(f.url, instr(f.url, '://') + 3,
              instr(substr(f.url, instr(f.url, '://') + 3) || '/', '/') - 1) AS host,
       f.url, f.status, f.outcome, f.error, f.note, f.bytes, f.duration_ms,
       a.url AS article_url, f.run_id
FROM fetches f
LEFT JOIN articles a ON a.id = f.article_id;

-- Articles under a takedown (their tombstones).
CREATE VIEW redacted_articles AS
SELECT r.url, r.at AS redacted_at, r.reason
FROM redactions r
WHERE r.action = 'redact'
  AND r.id = (SELECT max(id) FROM redactions WHERE article_id = r.article_id);
