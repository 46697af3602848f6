//! One vocabulary of what pages print around an article: navigation labels, trap words and the
//! names of page chrome, by role and language, each list with where its words come from.
//!
//! Discovery and extraction read these lists and keep none of their own. Labels are compared in
//! folded form ([`crate::extract::fold::fold`]: case, hamza and alif forms, alif maqsura, ta
//! marbuta, tatweel, harakat, punctuation and arrows ignored), so «الخبر التالى», «الخبر التالي» and "Next Post →" each
//! appear once. A label matches a text that is the label, or begins with it as whole words.
//!
//! Sources, read in the translation files sites ship (what a site prints is what they say):
//! - WordPress core: `wp-includes/link-template.php` (`get_the_post_navigation`,
//!   `get_the_posts_navigation`, `get_the_comments_navigation`, `wp_link_pages`) and its
//!   `ar.po`/`fr_FR.po` (wordpress.org translate, "WordPress" project); the default themes'
//!   language files (Twenty Fifteen to Twenty Twenty-Four: "Next post:", "Next Post",
//!   "Newer/Older posts", "Post navigation").
//! - Theme language files: Astra, GeneratePress, OceanWP, Newspaper (tagDiv: "Next article"),
//!   Jannah and Sahifa (TieLabs: «المقال التالي», «المقالة التالية»).
//! - Joomla: `plugins/content/pagenavigation` (`JNEXT`, `JPREV`, `JNEXT_TITLE` "Next article: %s")
//!   and the ar-AA and fr-FR language packs.
//! - Drupal: `book` module ("Book traversal links for", "Go to next page") and `pager`
//!   ("Next page", "Go to next page"), with their Arabic and French translations.
//! - Ghost themes' `locales/ar.json` and `locales/fr.json`; Blogger's layout strings ("Newer
//!   Post", "Older Post": «رسالة أحدث», «رسالة أقدم»; "Article plus récent", "Article plus
//!   ancien"); Hugo PaperMod `i18n/{ar,fr}.yaml`; Jekyll Minimal Mistakes `_data/ui-text.yml`.
//! - A survey of about 75 theme and CMS locale files (WordPress themes' `ar.po`/`fr_FR.po`,
//!   Ghost, Hugo, Hexo and Jekyll locales, Docusaurus): «المنشور التالي», «تصفح المنشور»,
//!   «التنقل بين التدوينات», "Post suivant", «مقالات مشابهة», "Vous pourriez aimer".
//! - Moroccan and Egyptian news portals as readers see them (`fixtures-source/seed-article.txt`
//!   ends in «المقال التالي»; «الخبر التالى» with alif maqsura is common in Egypt).

use std::sync::LazyLock;

pub use crate::extract::fold::fold;

/// Labels of a link to the next article: the link says where it goes. Arabic, French, English.
pub const NEXT_LABELS: &[&str] = &[
    // Arabic: news portals and WordPress/theme translations ("Next post" is «المقالة التالية»
    // in WordPress's ar.po; blogs say «التدوينة التالية»; forums and portals «الموضوع التالي»).
    "المقال التالي",
    "المقال اللاحق",
    "المقال الموالي",
    "المقالة التالية",
    "المقالة اللاحقة",
    "الخبر التالي",
    "الخبر الموالي",
    "الخبر اللاحق",
    "الموضوع التالي",
    "التدوينة التالية",
    "المنشور التالي",
    "المشاركة التالية",
    "المقال القادم",
    "المادة التالية",
    "القصة التالية",
    "اقرأ المقال التالي",
    // WordPress core ar: "Next Post" is «المقالة التالية» (5.9) and was «تدوينة لاحقة» (2012);
    // Twenty Twenty-One's "Next %s" with the post type: «مقالة تالية».
    "مقالة تالية",
    "مقالة لاحقة",
    "تدوينة لاحقة",
    "تدوينة تالية",
    // French (WordPress fr_FR "Article suivant", blogs "Billet suivant", Joomla "Suivant").
    "article suivant",
    "l'article suivant",
    "lire l'article suivant",
    "billet suivant",
    "post suivant",
    "prochain article",
    "publication suivante",
    "actualité suivante",
    "sujet suivant",
    // English.
    "next article",
    "next story",
    "next post",
    "next entry",
    "next news",
    "next issue",
    // The same boxes on German, Spanish and Portuguese sites.
    "lesen sie auch",
    "lesen sie mehr",
    "mehr lesen",
    "mehr zum thema",
    "auch interessant",
    "das könnte sie auch interessieren",
    "lee también",
    "lea también",
    "te puede interesar",
    "noticias relacionadas",
    "leia também",
    "leia mais",
];

/// Labels of a recommendation: "Read next" over a card is the site suggesting another article,
/// not its sequence. They count only written on the link itself ("Up next: Headline"); a heading
/// "Read next" above cards is never a next link.
pub const RECOMMENDATION_LABELS: &[&str] = &[
    "up next",
    "next up",
    "read next",
    "à lire ensuite",
    "a lire ensuite",
    "اقرأ التالي",
];

/// Labels of a link to the newer article, which counts as the next one: blogs list newest first
/// and name the direction by age (Blogger's pager, WordPress `next_post_link` texts).
pub const NEWER_LABELS: &[&str] = &[
    "رسالة أحدث",
    "تدوينة أحدث",
    "مقالة أحدث",
    "مقال أحدث",
    "المقالة الأحدث",
    "التدوينة الأحدث",
    "article plus récent",
    "billet plus récent",
    "message plus récent",
    "newer post",
    "newer article",
    "newer entry",
];

/// Words that mean "next" standing alone, as a theme prints them in their own element
/// (`<span>Next</span>`): WordPress themes' "Next", Joomla's `JNEXT`, «التالي», «Suivant».
/// Alone they are also pagination's words, so they count only where the link does not look
/// like pagination, and after the full labels.
/// "Next page" is one: Hugo PaperMod's post navigation says "Next Page" («الصفحة التالية», "Page
/// Suivante"), while `wp_link_pages` and Drupal's pager say it of pages of one document, which
/// their URLs give away.
pub const NEXT_WORDS: &[&str] = &[
    "next",
    "suivant",
    "التالي",
    "التالية",
    "الموالي",
    "اللاحق",
    "next page",
    "page suivante",
    "الصفحة التالية",
    // Chirpy and other Jekyll/Hugo themes name the sides by age: "Newer", «أحدث», "Plus récent".
    "newer",
    "plus récent",
    "أحدث",
    "الأحدث",
    "أجدد",
    "الأجدد",
];

/// Labels of a link to the previous or an older article: never followed.
pub const PREVIOUS_LABELS: &[&str] = &[
    "المقال السابق",
    "المقالة السابقة",
    "الخبر السابق",
    "الموضوع السابق",
    "التدوينة السابقة",
    "تدوينة سابقة",
    "مقالة سابقة",
    "المنشور السابق",
    "المشاركة السابقة",
    "رسالة أقدم",
    "تدوينة أقدم",
    "مقالة أقدم",
    "مقال أقدم",
    "article précédent",
    "l'article précédent",
    "billet précédent",
    "post précédent",
    "publication précédente",
    "article plus ancien",
    "billet plus ancien",
    "message plus ancien",
    "previous article",
    "previous story",
    "previous post",
    "previous entry",
    "previous issue",
    "prev article",
    "prev post",
    "older post",
    "older article",
    "older entry",
];

/// "Previous" standing alone (WordPress themes' "Previous", Joomla's `JPREV` "Prev").
pub const PREVIOUS_WORDS: &[&str] = &[
    "previous",
    "prev",
    "précédent",
    "precedent",
    "السابق",
    "السابقة",
    "previous page",
    "prev page",
    "page précédente",
    "الصفحة السابقة",
    "older",
    "plus ancien",
    "أقدم",
    "الأقدم",
];

/// What a link up to a parent, a book's contents or the home page says (Drupal's book pager
/// "Up" and "Go to parent page", Blogger's home link «الصفحة الرئيسية», "Accueil"): it sits
/// beside the previous and next links and is neither.
pub const UP_LABELS: &[&str] = &[
    "up",
    "go to parent page",
    "parent page",
    "home",
    "back to",
    "index",
    "accueil",
    "retour",
    "sommaire",
    "الرئيسية",
    "الصفحة الرئيسية",
    "عودة",
    "رجوع",
    "الفهرس",
];

/// Openers of "read also" and related boxes: links to other articles, never the next one, and
/// never article text.
pub const READ_ALSO_LABELS: &[&str] = &[
    "اقرأ أيضا",
    "اقرأ ايضا",
    "إقرأ أيضا",
    "اقرأ كذلك",
    "اقرأ المزيد",
    "شاهد أيضا",
    "مواضيع ذات صلة",
    "مقالات ذات صلة",
    "أخبار ذات صلة",
    "ذات صلة",
    "قد يعجبك أيضا",
    "قد يعجبك",
    "مقالات مشابهة",
    "مواضيع مشابهة",
    "نرشح لك",
    "articles similaires",
    "vous pourriez aimer",
    "vous aimerez aussi",
    "lire aussi",
    "à lire aussi",
    "a lire aussi",
    "voir aussi",
    "lire la suite",
    "read also",
    "read more",
    "see also",
    "related",
    "related articles",
    "related stories",
    "related posts",
    "you may also like",
    "more on this story",
];

/// What listing and comment pagination say (WordPress "Newer/Older posts", "Newer/Older
/// comments", and their Arabic and French translations). Never a next article.
pub const PAGING_LABELS: &[&str] = &[
    "مقالات أحدث",
    "مقالات أقدم",
    "المقالات الأحدث",
    "المقالات الأقدم",
    "رسائل أحدث",
    "رسائل أقدم",
    "تعليقات أحدث",
    "تعليقات أقدم",
    "التعليقات الأحدث",
    "التعليقات الأقدم",
    "articles plus récents",
    "articles plus anciens",
    "commentaires plus récents",
    "commentaires plus anciens",
    "newer posts",
    "older posts",
    "newer entries",
    "older entries",
    "newer comments",
    "older comments",
    "next comments",
    "previous comments",
    "load more",
    "more posts",
];

/// Names of a post navigation: the `aria-label` or heading of the `nav` that holds the links to
/// the previous and next articles (WordPress `get_the_post_navigation`: "Post navigation",
/// aria-label "Posts"; Twenty Twenty: "Post"; Drupal book: "Book traversal links for …"), and
/// their Arabic and French translations.
pub const POST_NAVIGATION_NAMES: &[&str] = &[
    "تصفح المقالات",
    "تصفح المقالة",
    "تصفح المنشور",
    "تصفح المنشورات",
    "التنقل بين التدوينات",
    "مقالات",
    "تصفح المقال",
    "التنقل بين المقالات",
    "المقالات",
    "مقالة",
    "navigation de l'article",
    "navigation des articles",
    "navigation d'article",
    "publications",
    "article",
    "post navigation",
    "posts navigation",
    "article navigation",
    "post",
    "posts",
    "single post",
    "book navigation",
];

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
/// articles, never to the next one, and the names in them are not the article's authors.
pub const TEASER_BOX_CLASSES: &str =
    "sidebar|widget|related|most|popular|recommend|trending|teaser|promo";

/// Class names of furniture around the article (comments, related and most-read boxes,
/// sidebars, widgets, sharing, newsletters, cards, footers): where neither the headline nor a
/// byline is looked for.
pub const FURNITURE_CLASSES: &str =
    "comment|related|sidebar|widget|most|popular|share|newsletter|recommend|footer|teaser|card";

/// Class names of a site's navigation chrome: menus, headers, footers, breadcrumbs. A listing
/// page's first article is never taken from them.
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

/// Words of share buttons and tools, which are never article text.
pub const SHARE_WORDS: &[&str] = &[
    "share",
    "partager",
    "شارك",
    "شارك المقال",
    "شارك الخبر",
    "tweet",
    "facebook",
    "twitter",
    "whatsapp",
    "email",
    "print",
    "imprimer",
    "طباعة",
    "نسخ الرابط",
    "copy link",
    "linkedin",
    "telegram",
    "messenger",
    "x",
];

/// The label lists in folded form, computed once.
pub static NEXT: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(&[NEXT_LABELS, NEWER_LABELS]));
pub static RECOMMENDATION: LazyLock<Vec<String>> =
    LazyLock::new(|| fold_all(&[RECOMMENDATION_LABELS]));
pub static NEXT_WORD: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(&[NEXT_WORDS]));
pub static PREVIOUS: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(&[PREVIOUS_LABELS]));
pub static PREVIOUS_WORD: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(&[PREVIOUS_WORDS]));
pub static READ_ALSO: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(&[READ_ALSO_LABELS]));
pub static UP: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(&[UP_LABELS]));
pub static PAGING: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(&[PAGING_LABELS]));
pub static POST_NAVIGATION: LazyLock<Vec<String>> =
    LazyLock::new(|| fold_all(&[POST_NAVIGATION_NAMES]));
pub static SHARE: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(&[SHARE_WORDS]));

/// The first words of every navigation label above, folded: a text whose first word is not
/// among them matches none of them (a quick test for the many links that are menus and
/// headlines).
static FIRST_WORDS: LazyLock<std::collections::HashSet<String>> = LazyLock::new(|| {
    [
        &*NEXT,
        &*RECOMMENDATION,
        &*NEXT_WORD,
        &*PREVIOUS,
        &*PREVIOUS_WORD,
        &*READ_ALSO,
        &*UP,
        &*PAGING,
    ]
    .into_iter()
    .flatten()
    .filter_map(|l| l.split(' ').next())
    .map(String::from)
    .collect()
});

/// Whether a folded text may begin with a navigation label (see [`FIRST_WORDS`]).
pub fn may_be_label(folded: &str) -> bool {
    FIRST_WORDS.contains(folded.split(' ').next().unwrap_or(""))
}

fn fold_all(lists: &[&[&str]]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for label in lists.iter().flat_map(|l| l.iter()) {
        let f = fold(label);
        if !f.is_empty() && !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

/// Whether `folded` is the folded `label` or begins with it as whole words.
pub fn starts_with_label(folded: &str, label: &str) -> bool {
    !label.is_empty()
        && (folded == label
            || folded
                .strip_prefix(label)
                .is_some_and(|rest| rest.starts_with(' ')))
}

/// Whether the folded text begins with any of the folded labels.
pub fn starts_with_any(folded: &str, labels: &[String]) -> bool {
    labels.iter().any(|l| starts_with_label(folded, l))
}

/// Whether the folded text is exactly one of the folded labels.
pub fn is_any(folded: &str, labels: &[String]) -> bool {
    labels.iter().any(|l| l == folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_fold_together() {
        assert!(is_any(&fold("الخبر التالى"), &NEXT));
        assert!(is_any(&fold("المقالة التالية"), &NEXT));
        assert!(starts_with_any(&fold("Next Post →"), &NEXT));
        assert!(starts_with_any(&fold("Article suivant : Titre"), &NEXT));
        assert!(is_any(&fold("« Précédent"), &PREVIOUS_WORD));
        assert!(is_any(&fold("تصفّح المقالات"), &POST_NAVIGATION));
    }

    #[test]
    fn lists_do_not_cross() {
        // A label in two roles would make the discovery's refusals and acceptances collide.
        for next in NEXT
            .iter()
            .chain(NEXT_WORD.iter())
            .chain(RECOMMENDATION.iter())
        {
            assert!(
                !PREVIOUS.contains(next) && !PREVIOUS_WORD.contains(next),
                "{next}"
            );
            assert!(
                !READ_ALSO.contains(next) && !PAGING.contains(next),
                "{next}"
            );
            assert!(!UP.contains(next), "{next}");
        }
        // Plural "newer posts" is listing pagination, singular "newer post" an article.
        assert!(!starts_with_any(&fold("Newer posts"), &NEXT));
        assert!(starts_with_any(&fold("Newer posts"), &PAGING));
    }

    #[test]
    fn the_quick_test_lets_every_label_through() {
        for list in [
            &*NEXT,
            &*RECOMMENDATION,
            &*NEXT_WORD,
            &*PREVIOUS,
            &*PREVIOUS_WORD,
        ] {
            for label in list {
                assert!(may_be_label(label), "{label}");
                assert!(may_be_label(&format!("{label} and a headline")), "{label}");
            }
        }
        assert!(!may_be_label("city council approves park plan"));
    }

    #[test]
    fn labels_match_whole_words() {
        assert!(starts_with_label(
            &fold("المقال التالي: عنوان"),
            &fold("المقال التالي")
        ));
        assert!(!starts_with_label(
            &fold("Next articles list"),
            "next article"
        ));
    }
}
