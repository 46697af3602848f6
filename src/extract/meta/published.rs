//! When an article was published and updated: structured data, meta tags, `<time>`, visible
//! dates near the headline, the URL.

use super::*;

/// The publication date: structured data, meta tags, `time[datetime]`, itemprop, visible dates,
/// relative dates (against `fetched_at`), a date in the URL.
pub fn published_at(
    doc: &Html,
    ld: &StructuredData,
    url: &Url,
    tz: Tz,
    fetched_at: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    let machine = |s: &str| dates::parse_machine_date(s, tz);
    ld.date_published
        .as_deref()
        .and_then(machine)
        .or_else(|| {
            meta_content(
                doc,
                &[
                    "article:published_time",
                    "og:published_time",
                    "datePublished",
                    "pubdate",
                    "publishdate",
                    "publish-date",
                    "publish_date",
                    "dc.date.issued",
                    "dcterms.created",
                    "dc.date",
                    "date",
                    "sailthru.date",
                    "parsely-pub-date",
                    "article.published",
                    "cxenseparse:recs:publishtime",
                ],
            )
            .as_deref()
            .and_then(machine)
        })
        .or_else(|| itemprop_date(doc, &ITEMPROP_PUBLISHED, tz))
        .or_else(|| time_element(doc, tz))
        .or_else(|| visible_date(doc, tz, fetched_at))
        .or_else(|| url_date(url, tz))
}

/// The modification date from structured data and meta tags.
pub fn modified_at(doc: &Html, ld: &StructuredData, tz: Tz) -> Option<DateTime<Utc>> {
    let machine = |s: &str| dates::parse_machine_date(s, tz);
    ld.date_modified
        .as_deref()
        .and_then(machine)
        .or_else(|| {
            meta_content(
                doc,
                &[
                    "article:modified_time",
                    "og:updated_time",
                    "dateModified",
                    "last-modified",
                ],
            )
            .as_deref()
            .and_then(machine)
        })
        .or_else(|| itemprop_date(doc, &ITEMPROP_MODIFIED, tz))
}

fn itemprop_date(doc: &Html, selector: &Selector, tz: Tz) -> Option<DateTime<Utc>> {
    doc.select(selector)
        .filter(|el| !in_furniture(*el))
        .find_map(|el| {
            let v = el.value();
            v.attr("content")
                .or_else(|| v.attr("datetime"))
                .and_then(|s| dates::parse_machine_date(s, tz))
                .or_else(|| dates::find_visible_date(&element_text(el), tz))
        })
}

fn time_element(doc: &Html, tz: Tz) -> Option<DateTime<Utc>> {
    let candidates: Vec<ElementRef<'_>> = doc
        .select(&TIME)
        .filter(|t| !in_chrome(*t) && !in_furniture(*t))
        .collect();
    let preferred = candidates.iter().find(|t| {
        let v = t.value();
        v.attr("pubdate").is_some()
            || v.attr("itemprop") == Some("datePublished")
            || v.attr("class").is_some_and(|c| {
                let c = c.to_ascii_lowercase();
                c.contains("publish") || c.contains("pubdate") || c.contains("entry-date")
            })
    });
    preferred
        .into_iter()
        .chain(candidates.iter())
        .find_map(|t| {
            t.value()
                .attr("datetime")
                .and_then(|d| dates::parse_machine_date(d, tz))
        })
}

fn visible_date(doc: &Html, tz: Tz, fetched_at: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    let elements = doc.select(&DATE_ELEMENTS).filter(|e| {
        !e.value()
            .attr("class")
            .is_some_and(|c| c.contains("update"))
    });
    for el in elements {
        let Some(t) = short_text(el, 400).filter(|t| t.chars().count() <= 200) else {
            continue;
        };
        if in_chrome(el) || in_furniture(el) {
            continue;
        }
        if let Some(d) = publication_date_in(&t, tz) {
            return Some(d);
        }
        if let Some(now) = fetched_at
            && let Some(d) = dates::parse_relative_date(&t, now)
        {
            return Some(d);
        }
    }
    // The text just after the headline often carries the dateline.
    let after = text_after_h1(doc, 400);
    publication_date_in(&after, tz)
        .or_else(|| fetched_at.and_then(|now| dates::parse_relative_date(&after, now)))
}

/// The publication date in a dateline: after a "published" marker when there is one; a text that
/// only announces an update gives none.
fn publication_date_in(text: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let lower = text.to_lowercase();
    if let Some(pos) = vocab::PUBLISHED_MARKERS
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        && let Some(d) = lower
            .get(pos..)
            .and_then(|rest| dates::find_visible_date(rest, tz))
    {
        return Some(d);
    }
    if let Some(pos) = vocab::UPDATED_MARKERS
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
    {
        // Only what stands before the update marker can be the publication date.
        return lower
            .get(..pos)
            .and_then(|before| dates::find_visible_date(before, tz));
    }
    dates::find_visible_date(text, tz)
}

fn text_after_h1(doc: &Html, max_chars: usize) -> String {
    let Some(h1) = doc.select(&H1).next() else {
        return String::new();
    };
    let mut out = String::new();
    let mut node = Some(*h1);
    // Walk forward in document order from the headline, skipping its own subtree.
    let mut skip_subtree = true;
    while let Some(n) = node {
        let next = if !skip_subtree && n.first_child().is_some() {
            n.first_child()
        } else {
            let mut cur = Some(n);
            let mut found = None;
            while let Some(c) = cur {
                if let Some(s) = c.next_sibling() {
                    found = Some(s);
                    break;
                }
                cur = c.parent();
            }
            found
        };
        skip_subtree = false;
        let Some(nx) = next else { break };
        if let Some(el) = nx.value().as_element()
            && (is_chrome(el) && !matches!(el.name(), "header" | "footer"))
            && el.name() != "h1"
        {
            // Skip scripts and the like, but not the article header holding the dateline.
            skip_subtree = true;
        }
        if let Some(t) = nx.value().as_text() {
            out.push_str(t);
            out.push(' ');
            if out.chars().count() > max_chars {
                break;
            }
        }
        node = Some(nx);
    }
    out
}

fn url_date(url: &Url, tz: Tz) -> Option<DateTime<Utc>> {
    static URL_DATE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(
            r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|[-_]|$)",
        )
        .unwrap()
    });
    let c = URL_DATE.captures(url.path())?;
    dates::parse_machine_date(&format!("{}-{:0>2}-{:0>2}", &c[1], &c[2], &c[3]), tz)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn update_lines_do_not_give_the_publication_date() {
        let tz = chrono_tz::UTC;
        let d = publication_date_in(
            "Updated Nov 21, 2026 8:00 AM · Published Nov 20, 2026 10:15 AM",
            tz,
        )
        .unwrap();
        assert_eq!(d.to_rfc3339(), "2026-11-20T10:15:00+00:00");
        let d = publication_date_in("نشر في 20 نونبر 2026 - آخر تحديث 21 نونبر 2026", tz).unwrap();
        assert_eq!(d.date_naive().to_string(), "2026-11-20");
        assert_eq!(
            publication_date_in("Mis à jour le 21 novembre 2026", tz),
            None
        );
    }

    #[test]
    fn comment_dates_are_not_the_article_date() {
        let html = r#"<article><h1>Title of the article here</h1><div class="post-info"><span class="date">الخميس 19 نونبر 2026 - 09:30</span></div><p>text</p></article>
            <section id="comments"><li class="comment"><time datetime="2026-11-22T10:15:00+01:00">22 نونبر</time></li></section>"#;
        let doc = Html::parse_document(html);
        let url = Url::parse("http://x.example/a").unwrap();
        let d = published_at(&doc, &StructuredData::default(), &url, chrono_tz::UTC, None).unwrap();
        assert_eq!(d.date_naive().to_string(), "2026-11-19");
    }
}
