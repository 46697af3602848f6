//! The names of page chrome: the tags, landmark roles, class and id names and attributes that
//! say an element is not the article's text, and the questions asked of them. Names are read
//! from an element once ([`component_names`], [`class_and_id`]) and matched lower-cased.
//!
//! Each reader asks its own question, named by what it asks, and the lists differ where the
//! questions do:
//!
//! | question | asked by | lists |
//! |---|---|---|
//! | [`is_chrome_named`]: chrome for the article body (strict) | content, metadata (the dateline walk) | [`CHROME_TAGS`], [`CHROME_ROLES`], [`CHROME_CLASSES`], [`MAYBE_CHROME_CLASSES`] less [`ARTICLE_CLASSES`], [`AD_CLASS_WORDS`] |
//! | [`is_certainly_chrome_named`]: chrome even in a loose second reading | content | [`CERTAIN_CHROME_CLASSES`] |
//! | [`names_teaser_box`]: a box whose links are no next article | discovery | [`TEASER_BOX_CLASSES`] |
//! | [`names_furniture`]: no headline or byline here | metadata | [`FURNITURE_CLASSES`] |
//! | [`names_site_menu`]: no first article of a listing here | listing | [`MENU_CLASSES`], [`SITE_CHROME_TAGS`] |
//!
//! The body's lists are the widest: a byline, a date or a post navigation is chrome for the
//! body, but the metadata reads the byline and the date there, and discovery looks for the next
//! link in the post navigation, so their lists leave those names out.

use std::sync::LazyLock;

use regex::Regex;
use scraper::node::Element;

/// Tags whose subtrees are never article text: scripts, styles and templates, embedded objects
/// and media, forms and their controls, navigation, asides, headers and footers, dialogs and
/// menus, the document's head and title, and the headline (`h1`, read apart as the title).
pub const CHROME_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "iframe",
    "nav",
    "aside",
    "footer",
    "header",
    "button",
    "select",
    "textarea",
    "input",
    "label",
    "figcaption",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "map",
    "dialog",
    "menu",
    "head",
    "title",
    "h1",
];

/// Tags whose text is never a standfirst, besides [`CHROME_TAGS`] (less `header`: the standfirst
/// sits in the article's header): figures, links and form labels.
pub const NEVER_STANDFIRST_TAGS: &[&str] = &["figure", "figcaption", "a", "label"];

/// ARIA landmark roles of a page's chrome (WAI-ARIA's landmarks other than `main`, and the
/// dialog and menu roles).
pub const CHROME_ROLES: &[&str] = &[
    "navigation",
    "complementary",
    "banner",
    "contentinfo",
    "dialog",
    "search",
    "menu",
];

/// The landmarks of a site's frame around its pages: navigation, header, footer, aside. Fewer
/// than [`CHROME_TAGS`]: the metadata looks for no headline or byline in them (a header inside
/// an `article` being the article's own), and a listing takes no first article from them.
pub const SITE_CHROME_TAGS: &[&str] = &["nav", "header", "footer", "aside"];

/// Class names (as `|` alternatives, matched in lower-cased `class` and `id`) of boxes that are
/// never article text: comments, sharing, newsletters, consent and privacy banners (`dsgvo`,
/// the German GDPR), advertising, recommendations,
/// tags, bylines and dates, captions and legends, boxes the site keeps out of print (`noprint`,
/// as MediaWiki names its navigation boxes), navigation and pagination (readability's "unlikely candidates",
/// trafilatura's `xpaths.py` discard lists, and what WordPress and news themes name them).
pub const CHROME_CLASSES: &str = concat!(
    r"comment|disqus|share|sharing|social|related|newsletter|subscri|cookie|consent|gdpr|dsgvo|",
    r"privacy|",
    r"advert|sponsor|promo|outbrain|taboola|breadcrumb|most-?read|mostread|most-?viewed|",
    r"popular|trending|ticker|recommend|read-?also|readmore|read-more|lire-aussi|also-read|",
    r"more-stories|more-news|teasers|post-tags|tags-?list|tag-?list|tagcloud|keywords|author-?bio|",
    r"about-?author|signup|sign-up|modal|popup|print-only|skip-link|pagination|pager|",
    r"post-nav|nav-links|navigation|next-post|prev-post|previous-post|posts-nav|",
    r"wp-caption-text|caption|legend|credit|byline|dateline|post-?meta|entry-?meta|article-?meta|",
    r"noprint|d-print-none|hidden-print|",
    r"meta-info|toolbar|rating|reaction|emoji|",
    r"jp-relatedposts|yarpp|addthis|sharedaddy|rss-|visually-hidden|sr-only|",
    r"author-box|post-author|article-author|entry-author|timestamp|publish-date|post-date|",
    r"article-date|entry-date|article-info|article-header|entry-header|post-header"
);

/// The part of [`CHROME_CLASSES`] that names boxes which are never an article's text, read even
/// in the loose second reading of a page: comments, sharing, consent, newsletters and sign-ups,
/// advertising, recommendations and most-read lists, pop-ups.
pub const CERTAIN_CHROME_CLASSES: &str = concat!(
    r"comment|disqus|share|sharing|social|related|newsletter|subscri|cookie|consent|gdpr|dsgvo|",
    r"privacy|",
    r"advert|sponsor|promo|outbrain|taboola|most-?read|mostread|most-?viewed|popular|trending|",
    r"recommend|read-?also|also-read|more-stories|more-news|signup|sign-up|modal|popup|",
    r"jp-relatedposts|yarpp|addthis|sharedaddy|author-?bio|about-?author"
);

/// Class names that are chrome unless the box also names itself as the article
/// ([`ARTICLE_CLASSES`]): `header`, `meta`, `sidebar`, ….
pub const MAYBE_CHROME_CLASSES: &str = "header|menu|nav|tags|extra|aside|meta|hidden|author|date|masthead|banner|sidebar|widget|footer";

/// Class names of the article's own boxes.
pub const ARTICLE_CLASSES: &str = concat!(
    r"article|body|content|entry|main|post|story|text|blog|single|detail|news|",
    r"prose|rich|paragraph"
);

/// Class tokens that describe a state or a feature switch rather than name a component
/// (`has-comments`, `comments-enabled`, `no-sidebar`, `f_comments_on`, `is-sticky`): chrome
/// names inside them are not read. Prefixes and suffixes, of whole class tokens.
pub const STATE_CLASS_PREFIXES: &[&str] = &[
    "has-", "has_", "no-", "no_", "with-", "without-", "is-", "is_", "f_", "enable-", "disable-",
];
pub const STATE_CLASS_SUFFIXES: &[&str] = &[
    "-enabled",
    "_enabled",
    "-disabled",
    "_disabled",
    "-open",
    "-opened",
    "-closed",
    "-on",
    "_on",
    "-off",
    "_off",
    "-active",
    "-inactive",
    "-allowed",
    "-loaded",
    "-count",
    // Drupal core marks a node promoted to the front page (`node--promoted`): a publishing
    // flag, not a promotion box.
    "-promoted",
];

/// Class words that name an article's standfirst: the sentences under the headline that open
/// it (English "lead", "lede", "standfirst", "dek"; French "chapô"/"chapeau"; Spanish
/// "entradilla", "bajada"; German "Vorspann", "Einleitung"; Czech and Slovak "perex"), as themes
/// name the box that holds them.
pub const STANDFIRST_WORDS: &[&str] = &[
    "lead",
    "leader",
    "lede",
    "standfirst",
    "dek",
    "intro",
    "summary",
    "subtitle",
    "subheadline",
    "epigraph",
    "abstract",
    "chapo",
    "chapeau",
    "entradilla",
    "bajada",
    "vorspann",
    "einleitung",
    "perex",
];

/// Class words (a class split at `-` and `_`) that name a genre of journalism and happen to
/// contain a chrome word: an opinion piece is a "commentary" (taz's `sect_article commentary`),
/// not a comment section. A class holding one names no component.
pub const GENRE_CLASS_WORDS: &[&str] = &["commentary", "commentaries"];

/// Class words (a class split at `-` and `_`) that mark advertising on their own.
pub const AD_CLASS_WORDS: &[&str] = &[
    "ad",
    "ads",
    "adv",
    "advert",
    "adsbygoogle",
    "ad-slot",
    "dfp",
];

/// Class names (as `|` alternatives, matched in lower-cased `class` and `id`) of teaser boxes:
/// sidebars, widgets, related and most-read lists, promotions. Their links lead to other
/// articles, never to the next one ([`names_teaser_box`], discovery's question). Narrower than
/// [`FURNITURE_CLASSES`] (no comments, sharing, newsletters, cards or footers) and than the
/// body's [`CHROME_CLASSES`] (no navigation): a box is refused here only for holding teasers.
pub const TEASER_BOX_CLASSES: &str =
    "sidebar|widget|related|most|popular|recommend|trending|teaser|promo";

/// Class names of furniture around the article (comments, related and most-read boxes,
/// sidebars, widgets, sharing, newsletters, cards, footers): where neither the headline nor a
/// byline is looked for ([`names_furniture`], the metadata's question).
pub const FURNITURE_CLASSES: &str =
    "comment|related|sidebar|widget|most|popular|share|newsletter|recommend|footer|teaser|card";

/// Class names of a site's navigation chrome: menus, headers, footers, breadcrumbs, matched as
/// substrings. A listing page's first article is never taken from them ([`names_site_menu`],
/// the listing's question).
pub const MENU_CLASSES: &[&str] = &[
    "menu",
    "sidebar",
    "widget",
    "footer",
    "header",
    "breadcrumb",
];

/// Class names that hide text from the eye but not from screen readers (WordPress
/// `screen-reader-text`, Bootstrap `sr-only` and `visually-hidden`, Drupal `visually-hidden` and
/// `element-invisible`, Foundation `show-for-sr`): a label there is read apart from what is seen.
pub const VISUALLY_HIDDEN_CLASSES: &[&str] = &[
    "screen-reader-text",
    "screen-reader",
    "sr-only",
    "visually-hidden",
    "visuallyhidden",
    "element-invisible",
    "show-for-sr",
    "assistive-text",
    "u-hidden-visually",
    "a11y-hidden",
    "hidden-visually",
    "elementor-screen-only",
    "screen-only",
    "sr-text",
    "offscreen",
];

/// Class names (as `|` alternatives) of the box that holds an article's own text
/// (`article-body`, `entry-content`, `post_text`, tagDiv's `td-post-content`): a box named so is
/// not chrome for also naming a chrome word (`article-body has-sidebar`), unless it names
/// comments.
pub const MAIN_WRAPPER_CLASSES: &str =
    r"(article|entry|post|story)[-_]?(body|content|text)|main-content|td-post-content";

/// Class words of a dialog drawn over the page (`modal__body`, `popup`): text shown only on
/// demand, never the article.
pub const OVERLAY_WORDS: &[&str] = &["modal", "popup"];

/// Names of a comment section or a comment: whole names, their beginnings and their endings
/// (`comments`, `comment-list`, `commentlist`, `post-comments`, `disqus_thread`). A state of
/// comments (`commented`, `has-comments`) is none of them.
pub const COMMENT_NAMES: &[&str] = &["comment", "comments"];
pub const COMMENT_NAME_PREFIXES: &[&str] = &[
    "comment-",
    "comments-",
    "comment_",
    "comments_",
    "commentlist",
    "disqus",
];
pub const COMMENT_NAME_SUFFIXES: &[&str] = &["-comments", "-comment"];

/// Class words that give a link's side in a pair of article links (`nav-next`, `next-post`,
/// `blog-pager-newer-link`; `nav-previous`, `prev-post`, `older`). A class naming both sides
/// names the container, not a side.
pub const NEXT_SIDE_CLASS_WORDS: &[&str] = &["next", "newer"];
pub const PREVIOUS_SIDE_CLASS_WORDS: &[&str] = &["prev", "previous", "older"];

/// Class words of a box of post navigation: a navigation word with a word for posts
/// (`post-navigation`, `nav-single`, `mh-post-nav`), or both sides (`td-post-next-prev`,
/// `prev-next-post-nav`, `prevnext`). The sides here are the direction words only, not the
/// age words of [`NEXT_SIDE_CLASS_WORDS`]: a box holding `newer` and `older` is as often a
/// listing's pager.
pub const NAVIGATION_CLASS_WORDS: &[&str] = &[
    "nav",
    "navigation",
    "pagination",
    "pager",
    "paginav",
    "pagenav",
    "navi",
];
pub const POSTS_CLASS_WORDS: &[&str] = &[
    "post", "posts", "single", "article", "entry", "story", "book",
];
pub const PAIR_NEXT_CLASS_WORDS: &[&str] = &["next"];
pub const PAIR_PREVIOUS_CLASS_WORDS: &[&str] = &["prev", "previous"];
pub const BOTH_SIDES_CLASS_WORDS: &[&str] = &["prevnext", "nextprev"];

static CHROME: LazyLock<Regex> = LazyLock::new(|| Regex::new(CHROME_CLASSES).unwrap());
static MAYBE_CHROME: LazyLock<Regex> = LazyLock::new(|| Regex::new(MAYBE_CHROME_CLASSES).unwrap());
static CERTAIN_CHROME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(CERTAIN_CHROME_CLASSES).unwrap());
static ARTICLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(ARTICLE_CLASSES).unwrap());
static MAIN_WRAPPER: LazyLock<Regex> = LazyLock::new(|| Regex::new(MAIN_WRAPPER_CLASSES).unwrap());
static TEASER_BOX: LazyLock<Regex> = LazyLock::new(|| Regex::new(TEASER_BOX_CLASSES).unwrap());
static FURNITURE: LazyLock<Regex> = LazyLock::new(|| Regex::new(FURNITURE_CLASSES).unwrap());

// ---------------------------------------------------------------------------------------------
// Reading an element's names.

/// An element's class and id, lower-cased, as written: what the teaser-box, furniture and
/// menu questions read.
pub fn class_and_id(el: &Element) -> String {
    let mut s = String::new();
    if let Some(c) = el.attr("class") {
        s.push_str(c);
    }
    if let Some(i) = el.attr("id") {
        s.push(' ');
        s.push_str(i);
    }
    s.to_ascii_lowercase()
}

/// The names an element gives itself, lower-cased: its class tokens (and its id when
/// `with_id`), without the tokens that describe a state (`has-comments`, `comments-enabled`: see
/// [`STATE_CLASS_PREFIXES`]) or a genre (`commentary`: [`GENRE_CLASS_WORDS`]). What the
/// article body's chrome questions read.
pub fn component_names(el: &Element, with_id: bool) -> String {
    let mut s = String::new();
    let classes = el.attr("class").unwrap_or("").split_ascii_whitespace();
    let id = el.attr("id").filter(|_| with_id);
    for t in classes.chain(id) {
        let t = t.to_ascii_lowercase();
        if is_state_token(&t) {
            continue;
        }
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&t);
    }
    s
}

fn is_state_token(t: &str) -> bool {
    STATE_CLASS_PREFIXES.iter().any(|p| t.starts_with(p))
        || STATE_CLASS_SUFFIXES.iter().any(|x| t.ends_with(x))
        || t.split(['-', '_']).any(|w| GENRE_CLASS_WORDS.contains(&w))
}

// ---------------------------------------------------------------------------------------------
// Whether an element is chrome for the article body.

/// Whether an element, by itself, is chrome rather than article text: [`is_chrome_named`]
/// with all its names.
pub fn is_chrome(el: &Element) -> bool {
    is_chrome_named(el, &component_names(el, true))
}

/// Whether an element is chrome for the article body, its names given (`names`: its
/// [`component_names`], with or without its id; empty to ask of its tag, attributes and role
/// alone): a chrome tag, hidden, a chrome landmark role, or named as advertising or chrome
/// ([`names_body_chrome`]). The main landmark (HTML's `main`, ARIA's `role="main"`) holds the
/// page's dominant content by definition: its class names are modifiers, never chrome (Enfold's
/// `<main class="… av-blog-meta-comments-disabled">`).
pub fn is_chrome_named(el: &Element, names: &str) -> bool {
    let name = el.name();
    if CHROME_TAGS.contains(&name) || is_hidden(el) {
        return true;
    }
    if el
        .attr("role")
        .is_some_and(|role| CHROME_ROLES.contains(&role))
    {
        return true;
    }
    if name == "main" || el.attr("role") == Some("main") {
        return false;
    }
    if names.is_empty() {
        return false;
    }
    names_advertising(el) || names_body_chrome(names)
}

/// [`is_chrome_named`] in the loose reading of a page: tags, hidden boxes and landmark roles
/// as always, but only the names of boxes that are never article text
/// ([`CERTAIN_CHROME_CLASSES`]).
pub fn is_certainly_chrome_named(el: &Element, names: &str) -> bool {
    is_chrome_named(el, "") || (!names.is_empty() && CERTAIN_CHROME.is_match(names))
}

/// Whether an element is hidden from readers: `hidden`, `aria-hidden="true"`, or an inline
/// `display: none` / `visibility: hidden`.
pub fn is_hidden(el: &Element) -> bool {
    el.attr("hidden").is_some()
        || el.attr("aria-hidden") == Some("true")
        || el.attr("style").is_some_and(|s| {
            let s = s.to_ascii_lowercase().replace(' ', "");
            s.contains("display:none") || s.contains("visibility:hidden")
        })
}

// ---------------------------------------------------------------------------------------------
// Questions of names.

/// Whether names say chrome for the article body, in the strict reading: a name of
/// [`CHROME_CLASSES`] (unless the box also names itself the article's text wrapper,
/// [`MAIN_WRAPPER_CLASSES`]), or one of [`MAYBE_CHROME_CLASSES`] without one of
/// [`ARTICLE_CLASSES`].
pub fn names_body_chrome(names: &str) -> bool {
    if CHROME.is_match(names) {
        return !names_main_wrapper(names);
    }
    MAYBE_CHROME.is_match(names) && !ARTICLE.is_match(names)
}

/// Whether names hold any chrome name, certain or not ([`CHROME_CLASSES`],
/// [`MAYBE_CHROME_CLASSES`]): what counts against a box in the content scorer.
pub fn names_any_chrome(names: &str) -> bool {
    CHROME.is_match(names) || MAYBE_CHROME.is_match(names)
}

/// Whether names hold a name of the article's own boxes ([`ARTICLE_CLASSES`]).
pub fn names_article(names: &str) -> bool {
    ARTICLE.is_match(names)
}

fn names_main_wrapper(names: &str) -> bool {
    MAIN_WRAPPER.is_match(names) && !names.contains("comment")
}

/// Whether an element's class names advertising ([`AD_CLASS_WORDS`], a class split at `-`
/// and `_`).
pub fn names_advertising(el: &Element) -> bool {
    el.attr("class")
        .unwrap_or("")
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .any(|t| AD_CLASS_WORDS.contains(&t.to_ascii_lowercase().as_str()))
}

/// Whether [`component_names`] name a comment section or a comment ([`COMMENT_NAMES`]).
pub fn names_comments(names: &str) -> bool {
    names.split(' ').any(|t| {
        COMMENT_NAMES.contains(&t)
            || COMMENT_NAME_PREFIXES.iter().any(|p| t.starts_with(p))
            || COMMENT_NAME_SUFFIXES.iter().any(|x| t.ends_with(x))
    })
}

/// Whether [`component_names`] name a dialog drawn over the page ([`OVERLAY_WORDS`]).
pub fn names_overlay(names: &str) -> bool {
    names
        .split([' ', '-', '_'])
        .any(|w| OVERLAY_WORDS.contains(&w))
}

/// Whether a [`class_and_id`] names a teaser box ([`TEASER_BOX_CLASSES`]): its links are no
/// next article. Fewer names than the body's chrome: a post navigation sits in boxes the body
/// drops (`navigation`, `post-nav`, `nav-links`), and discovery looks for its link there.
pub fn names_teaser_box(class_and_id: &str) -> bool {
    TEASER_BOX.is_match(class_and_id)
}

/// Whether a [`class_and_id`] names furniture around the article ([`FURNITURE_CLASSES`]),
/// where the metadata looks for no headline or byline. Fewer names than the body's chrome: the
/// byline and the date sit in boxes the body drops (`byline`, `post-meta`, `article-header`).
pub fn names_furniture(class_and_id: &str) -> bool {
    FURNITURE.is_match(class_and_id)
}

/// Whether a [`class_and_id`] names a site's navigation chrome ([`MENU_CLASSES`], as
/// substrings), where a listing's first article is never taken.
pub fn names_site_menu(class_and_id: &str) -> bool {
    MENU_CLASSES.iter().any(|h| class_and_id.contains(h))
}

/// Whether a `class` attribute names text hidden for the eye but read aloud
/// ([`VISUALLY_HIDDEN_CLASSES`], whole tokens, any case).
pub fn names_visually_hidden(class: &str) -> bool {
    class.split_ascii_whitespace().any(|t| {
        VISUALLY_HIDDEN_CLASSES
            .iter()
            .any(|h| t.eq_ignore_ascii_case(h))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};

    #[test]
    fn publishing_flags_name_no_chrome() {
        // Drupal marks a node promoted to the front page: a flag, not a promotion box.
        let doc = Html::parse_fragment(
            r#"<article class="node node--type-article node--promoted node--view-mode-full"></article>"#,
        );
        let article = doc
            .select(&Selector::parse("article").unwrap())
            .next()
            .unwrap();
        assert!(!is_chrome(article.value()));
        let doc = Html::parse_fragment(r#"<div class="promo-box"></div>"#);
        let promo = doc.select(&Selector::parse("div").unwrap()).next().unwrap();
        assert!(is_chrome(promo.value()));
    }

    #[test]
    fn each_reader_asks_its_own_question() {
        // A post navigation is chrome for the body, and where discovery looks for its link.
        assert!(names_body_chrome("navigation post-navigation"));
        assert!(!names_teaser_box("navigation post-navigation"));
        // A byline is chrome for the body, and where the metadata reads the author.
        assert!(names_body_chrome("byline"));
        assert!(!names_furniture("byline"));
        // A wrapper named for the article's text is not chrome for naming a sidebar too.
        assert!(!names_body_chrome("article-body has-sidebar"));
        assert!(names_body_chrome("sidebar"));
        assert!(names_site_menu("main-menu") && !names_site_menu("article"));
    }

    #[test]
    fn comments_are_named_not_mentioned() {
        assert!(names_comments("comments-area"));
        assert!(names_comments("post-comments"));
        assert!(names_comments("disqus_thread"));
        assert!(!names_comments("commented"));
        assert!(names_overlay("modal__body") && !names_overlay("modality"));
    }
}
