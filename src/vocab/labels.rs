//! Navigation labels: what a link to the next, previous or a related article says, what
//! pagination and post navigations are called, and the words of share buttons, in Arabic,
//! French and English (sources in [`crate::vocab`]), each list also kept folded.

use std::sync::LazyLock;

use super::fold;

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

/// Beginnings of a post navigation's name that carry a title after them, folded (Drupal's book
/// navigation: "Book traversal links for {title}").
pub const POST_NAVIGATION_PREFIXES: &[&str] = &["book traversal links"];

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::{is_any, starts_with_any};

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
}
