-- Schema 5: per-site zstd dictionaries. Pages of one site share most of their bytes (header,
-- menus, scripts, footer); a dictionary trained on a site's captures lets each later capture
-- store little more than what is its own. A capture compressed with one names it; to read it
-- outside arshif: `zstd -d -D <dictionary content> <capture content>`.
CREATE TABLE capture_dictionaries (
    id          INTEGER PRIMARY KEY,
    host        TEXT NOT NULL,          -- host:port of the site it was trained for
    trained_at  TEXT NOT NULL,          -- RFC 3339 UTC
    samples     TEXT NOT NULL,          -- JSON array of the capture digests it was trained on
    content     BLOB NOT NULL           -- the zstd dictionary
);
CREATE INDEX capture_dictionaries_host ON capture_dictionaries(host);

ALTER TABLE captures ADD COLUMN dictionary_id INTEGER REFERENCES capture_dictionaries(id);
