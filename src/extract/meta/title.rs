//! The headline: an `<h1>` the page confirms, else the structured one, else the title without
//! the site's name.

use super::*;

/// The headline: an `<h1>` that the page's title or `og:title` confirms; else the one `<h1>`
/// of the article; else the structured headline; else a confirmed `<h2>`; else the title without
/// the site name.
pub fn title(doc: &Html, ld: &StructuredData, site_name: Option<&str>) -> Option<String> {
    let og = meta_content(doc, &["og:title", "twitter:title"]);
    let doc_title = doc
        .select(&TITLE)
        .next()
        .map(element_text)
        .filter(|t| !t.is_empty());
    let confirmers: Vec<String> = [og.as_deref(), ld.headline.as_deref(), doc_title.as_deref()]
        .into_iter()
        .flatten()
        .map(|c| fold(c.trim_end_matches(['…', '.'])))
        .filter(|s| !s.is_empty())
        .collect();
    let confirmed = |h: &str| {
        let f = fold(h);
        confirmers.iter().any(|c| {
            *c == f
                || (f.len() >= 10 && c.contains(&f))
                || (c.len() >= 20 && f.starts_with(c.as_str()))
        })
    };
    let site = site_name.map(fold);
    let h1s: Vec<(String, bool)> = doc
        .select(&H1)
        .map(|e| (element_text(e), in_chrome(e) || in_furniture(e)))
        .filter(|(t, _)| t.chars().count() >= 3 && site.as_deref() != Some(fold(t).as_str()))
        .collect();
    // A headline in site chrome (a logo) must match the title exactly to count.
    if let Some((h, _)) = h1s.iter().find(|(h, chrome)| {
        if *chrome {
            confirmers.contains(&fold(h))
        } else {
            confirmed(h)
        }
    }) {
        return Some(h.clone());
    }
    let article_h1s: Vec<&String> = h1s
        .iter()
        .filter(|(_, chrome)| !chrome)
        .map(|(h, _)| h)
        .collect();
    if let [only] = article_h1s.as_slice()
        && only.split_whitespace().count() >= 3
    {
        return Some((*only).clone());
    }
    if let Some(h) = &ld.headline {
        return Some(h.clone());
    }
    static H2: LazyLock<Selector> = LazyLock::new(|| sel("h2"));
    if let Some(h) = doc
        .select(&H2)
        .map(element_text)
        .find(|h| h.split_whitespace().count() >= 3 && confirmed(h))
    {
        return Some(h);
    }
    if let Some(t) = og.as_deref().or(doc_title.as_deref()) {
        return Some(strip_site_name(t, site_name));
    }
    h1s.into_iter().next().map(|(h, _)| h)
}

/// Removes a site name joined to a headline by a separator ("Headline | Site", "Site - Headline").
pub fn strip_site_name(title: &str, site_name: Option<&str>) -> String {
    const SEPARATORS: &[&str] = &[
        " | ", " - ", " – ", " — ", " :: ", " « ", " » ", " · ", " ｜ ",
    ];
    for sep in SEPARATORS {
        if !title.contains(sep) {
            continue;
        }
        let parts: Vec<&str> = title
            .split(sep)
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() < 2 {
            continue;
        }
        if let Some(site) = site_name.map(fold) {
            let rest: Vec<&str> = parts.iter().copied().filter(|p| fold(p) != site).collect();
            if rest.len() < parts.len() && !rest.is_empty() {
                return rest.join(sep);
            }
        }
        // Otherwise keep the longest part: a site name is short.
        if let Some(best) = parts.iter().max_by_key(|p| p.chars().count()) {
            return (*best).to_string();
        }
    }
    title.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn site_names_are_stripped() {
        assert_eq!(
            strip_site_name("Headline of the day | Le Site", None),
            "Headline of the day"
        );
        assert_eq!(
            strip_site_name("Hespress - عنوان الخبر الطويل", Some("Hespress")),
            "عنوان الخبر الطويل"
        );
        assert_eq!(strip_site_name("Plain headline", None), "Plain headline");
    }

    #[test]
    fn headline_rules() {
        let t = |html: &str| {
            title(
                &Html::parse_document(html),
                &StructuredData::default(),
                None,
            )
        };
        // An SEO title does not beat the article's one h1.
        assert_eq!(
            t("<title>Park approved | Courier</title><article><h1>City council approves riverfront park plan</h1></article>").as_deref(),
            Some("City council approves riverfront park plan")
        );
        // A logo h1 in the header loses to a confirmed h2.
        assert_eq!(
            t("<title>City council approves park plan | The Courier</title><header><h1>The Courier</h1></header><article><h2>City council approves park plan</h2></article>").as_deref(),
            Some("City council approves park plan")
        );
        // A truncated title still confirms the full h1.
        assert_eq!(
            t("<title>City council approves riverfront…</title><h1>City council approves riverfront park plan</h1><h1>Other</h1>").as_deref(),
            Some("City council approves riverfront park plan")
        );
    }
}
