-- arshif schema, migration 6: what `list` shows of each article, kept on the article so that a
-- listing reads the articles alone instead of every article's versions and fetches.
-- Never edit once released: add a new numbered file instead.

ALTER TABLE articles ADD COLUMN version_count INTEGER NOT NULL DEFAULT 0;
-- The title of its latest version.
ALTER TABLE articles ADD COLUMN latest_title TEXT;
-- When its latest change was fetched: the fetched_at of its latest version after the first.
ALTER TABLE articles ADD COLUMN last_change_at TEXT;
-- When its latest fetch answered 404/410 (NULL when the latest fetch did not).
ALTER TABLE articles ADD COLUMN gone_at TEXT;

UPDATE articles SET
    version_count = (SELECT count(*) FROM versions WHERE article_id = articles.id),
    latest_title = (SELECT title FROM versions WHERE article_id = articles.id
                    ORDER BY version DESC LIMIT 1),
    last_change_at = (SELECT max(fetched_at) FROM versions
                      WHERE article_id = articles.id AND version > 1),
    gone_at = (SELECT CASE WHEN outcome = 'gone' THEN requested_at END FROM fetches
               WHERE article_id = articles.id ORDER BY requested_at DESC, id DESC LIMIT 1);

-- Versions are appended in order, so a new one is the latest.
CREATE TRIGGER versions_listing_insert AFTER INSERT ON versions
BEGIN
    UPDATE articles
    SET version_count = version_count + 1,
        latest_title = NEW.title,
        last_change_at = CASE WHEN NEW.version > 1
                              THEN max(coalesce(last_change_at, ''), NEW.fetched_at)
                              ELSE last_change_at END
    WHERE id = NEW.article_id;
END;

-- Only a takedown removes versions.
CREATE TRIGGER versions_listing_delete AFTER DELETE ON versions
BEGIN
    UPDATE articles
    SET version_count = version_count - 1,
        latest_title = (SELECT title FROM versions WHERE article_id = OLD.article_id
                        ORDER BY version DESC LIMIT 1),
        last_change_at = (SELECT max(fetched_at) FROM versions
                          WHERE article_id = OLD.article_id AND version > 1)
    WHERE id = OLD.article_id;
END;

-- A fetch of an article is its latest unless the log holds a later one.
CREATE TRIGGER fetches_gone_at AFTER INSERT ON fetches
WHEN NEW.article_id IS NOT NULL
BEGIN
    UPDATE articles
    SET gone_at = CASE WHEN NEW.outcome = 'gone' THEN NEW.requested_at END
    WHERE id = NEW.article_id
      AND NOT EXISTS (SELECT 1 FROM fetches f WHERE f.article_id = NEW.article_id
                                               AND f.requested_at > NEW.requested_at);
END;
