//! One vocabulary of what pages print around an article: navigation labels, trap words, the
//! names of page chrome and the words of bylines, by role and language, each list with where its
//! words come from. Split by subject: `labels` (what links and navigations say), `chrome`
//! (the tags, roles and class names of page chrome, and the questions asked of them),
//! `bylines` (bylines and datelines); everything is re-exported here.
//!
//! Discovery, extraction and listing read these lists and keep none of their own. Labels are
//! compared in folded form ([`crate::fold::fold`]: case, hamza and alif forms, alif
//! maqsura, ta marbuta, tatweel, harakat, punctuation and arrows ignored), so «الخبر التالى»,
//! «الخبر التالي» and "Next Post →" each appear once. A label matches a text that is the label,
//! or begins with it as whole words.
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

pub mod bylines;
pub mod chrome;
pub mod labels;

pub use crate::fold::fold;
pub use bylines::*;
pub use chrome::*;
pub use labels::*;

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
