-- arshif schema, migration 3: what the revisit planner selects by, kept on each article so that
-- it reads an index instead of every article's versions and fetches; and an index for finding
-- an article by a URL it was fetched from. Never edit once released: add a new numbered file instead.

-- When the article appeared (its latest version's publication time, or its first archiving if
-- earlier or unknown) and when it was last fetched; both as '%Y-%m-%dT%H:%M:%fZ' (milliseconds
-- always written), so that they compare as text in time order. NULL born_at: no version yet.
ALTER TABLE articles ADD COLUMN born_at TEXT;
ALTER TABLE articles ADD COLUMN last_fetched_at TEXT;

UPDATE articles SET
    born_at = (SELECT min(strftime('%Y-%m-%dT%H:%M:%fZ', articles.first_seen_at),
                          coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', v.published_at),
                                   strftime('%Y-%m-%dT%H:%M:%fZ', articles.first_seen_at)))
               FROM versions v WHERE v.article_id = articles.id
               ORDER BY v.version DESC LIMIT 1),
    last_fetched_at = coalesce((SELECT strftime('%Y-%m-%dT%H:%M:%fZ', max(requested_at))
                                FROM fetches WHERE article_id = articles.id),
                               strftime('%Y-%m-%dT%H:%M:%fZ', last_seen_at));

-- Kept in step by every writer: a new version is the article's latest, and a fetch that belongs
-- to an article is its latest unless the log says otherwise.
CREATE TRIGGER versions_born_at AFTER INSERT ON versions
BEGIN
    UPDATE articles
    SET born_at = min(strftime('%Y-%m-%dT%H:%M:%fZ', first_seen_at),
                      coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', NEW.published_at),
                               strftime('%Y-%m-%dT%H:%M:%fZ', first_seen_at)))
    WHERE id = NEW.article_id;
END;

CREATE TRIGGER fetches_last_fetched_at AFTER INSERT ON fetches
WHEN NEW.article_id IS NOT NULL
BEGIN
    UPDATE articles
    SET last_fetched_at = max(coalesce(last_fetched_at, ''),
                              coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', NEW.requested_at), ''))
    WHERE id = NEW.article_id;
END;

-- The planner reads, per site and age band of its schedule, the articles born in the band and
-- fetched long enough ago: one range of this index each.
CREATE INDEX articles_revisit ON articles(host, born_at, last_fetched_at);

-- `history`, `show` and `diff` accept a URL an article was fetched from.
CREATE INDEX versions_fetched_url ON versions(fetched_url);
