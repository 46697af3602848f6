-- arshif schema, migration 1. Never edit once released: add a new numbered file instead.

-- One row per crawl (or other writing command).
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    command       TEXT NOT NULL,              -- 'crawl', 'demo', ...
    start_url     TEXT,
    started_at    TEXT NOT NULL,              -- RFC 3339 UTC
    finished_at   TEXT,
    status        TEXT NOT NULL DEFAULT 'running', -- running | complete | failed | interrupted
    end_reason    TEXT,                       -- why the walk stopped
    counts        TEXT                        -- JSON object of per-outcome counts
);

-- One row per archived article, keyed by its URL (canonical when trustworthy, else normalised).
CREATE TABLE articles (
    id             INTEGER PRIMARY KEY,
    url            TEXT NOT NULL UNIQUE,
    host           TEXT NOT NULL,             -- host:port
    first_seen_at  TEXT NOT NULL,
    last_seen_at   TEXT NOT NULL
);

-- Raw payloads, each distinct one stored once, zstd-compressed, keyed by digest.
CREATE TABLE captures (
    digest        TEXT PRIMARY KEY,           -- 'sha256:<hex>' of the raw (decompressed) payload
    compression   TEXT NOT NULL,              -- 'zstd'
    raw_bytes     INTEGER NOT NULL,
    stored_bytes  INTEGER NOT NULL,
    content_type  TEXT,
    content       BLOB NOT NULL,
    created_at    TEXT NOT NULL
) WITHOUT ROWID;

-- Every HTTP attempt (and every page skipped without one), with how it ended.
CREATE TABLE fetches (
    id              INTEGER PRIMARY KEY,
    run_id          INTEGER REFERENCES runs(id),
    article_id      INTEGER REFERENCES articles(id),
    url             TEXT NOT NULL,            -- the URL requested
    requested_at    TEXT NOT NULL,
    status          INTEGER,                  -- HTTP status, NULL when none was received
    outcome         TEXT NOT NULL,            -- archived | changed | unchanged | not_modified | ...
    error           TEXT,
    note            TEXT,                     -- e.g. metadata that changed without a new version
    headers         TEXT,                     -- JSON array of [name, value] pairs
    bytes           INTEGER,                  -- body bytes after decompression
    duration_ms     INTEGER,
    etag            TEXT,
    last_modified   TEXT,
    payload_digest  TEXT,                     -- digest of the body (whether or not it was kept)
    capture_digest  TEXT REFERENCES captures(digest) -- set when the payload is stored
);
CREATE INDEX fetches_url ON fetches(url, requested_at);
CREATE INDEX fetches_article ON fetches(article_id, requested_at);
CREATE INDEX fetches_run ON fetches(run_id);

-- Versions of an article's content, append-only. A new row only on a real change.
CREATE TABLE versions (
    id                 INTEGER PRIMARY KEY,
    article_id         INTEGER NOT NULL REFERENCES articles(id),
    version            INTEGER NOT NULL,      -- 1, 2, ...
    fetch_id           INTEGER NOT NULL REFERENCES fetches(id),
    fetched_at         TEXT NOT NULL,
    fetched_url        TEXT NOT NULL,         -- the URL the content came from (after redirects)
    canonical_url      TEXT,                  -- what the page declared
    title              TEXT,
    body               TEXT NOT NULL,
    published_at       TEXT,
    modified_at        TEXT,
    authors            TEXT NOT NULL,         -- JSON array of strings
    language           TEXT,
    content_hash       TEXT NOT NULL,         -- sha256 of NFC title and body, whitespace collapsed
    extractor_version  TEXT NOT NULL,
    site_rules         TEXT NOT NULL,         -- the rules that produced it ('generic' or selectors)
    capture_digest     TEXT NOT NULL REFERENCES captures(digest),
    UNIQUE (article_id, version)
);

CREATE TRIGGER versions_append_only_update BEFORE UPDATE ON versions
BEGIN SELECT RAISE(ABORT, 'versions are append-only'); END;
CREATE TRIGGER versions_append_only_delete BEFORE DELETE ON versions
BEGIN SELECT RAISE(ABORT, 'versions are append-only'); END;
