//! Discovery on small pages: each rule, and each trap it must keep refusing.

use super::*;

const PAGE: &str = "http://news.example/a/current-1.html";

fn found(html: &str, page: &str) -> Option<NextLink> {
    let page = Url::parse(page).unwrap();
    next_article(&Html::parse_document(html), &page, None).next
}

fn next(html: &str) -> Option<String> {
    found(html, PAGE).map(|n| n.url.to_string())
}

fn via(html: &str) -> Option<Via> {
    found(html, PAGE).map(|n| n.via)
}

#[test]
fn label_link_is_followed() {
    assert_eq!(
        next(r#"<a href="/b/next-2.html">المقال التالي »</a>"#).as_deref(),
        Some("http://news.example/b/next-2.html")
    );
}

#[test]
fn headline_inside_the_link_is_fine() {
    let html = r#"<a class="next-post" href="n.html"><span>المقال التالي</span> <strong>عنوان</strong></a>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/a/n.html"));
}

#[test]
fn a_label_and_a_headline_in_blocks_read_apart() {
    for html in [
        r#"<a href="/n.html"><span>المقال التالي</span><h4>عنوان الخبر القادم</h4></a>"#,
        r#"<a href="/n.html">المقال التالي<br>عنوان الخبر القادم</a>"#,
        r#"<a href="/n.html"><p class="meta-nav">Next Post<svg></svg></p><p class="post-title">Budget vote</p></a>"#,
    ] {
        assert_eq!(
            next(html).as_deref(),
            Some("http://news.example/n.html"),
            "{html}"
        );
        assert_eq!(via(html), Some(Via::Label), "{html}");
    }
}

#[test]
fn labels_in_attributes() {
    for html in [
        r#"<a href="/n.html" title="المقال التالي">›</a>"#,
        r#"<a href="/n.html" aria-label="Next article: Budget vote">›</a>"#,
        r#"<a href="/n.html"><i class="icon" aria-label="Article suivant"></i></a>"#,
        r#"<a href="/n.html"><span class="screen-reader-text">Next post:</span> Budget vote</a>"#,
        r#"<a href="/n.html"><img src="next.png" alt="المقال التالي"></a>"#,
    ] {
        assert_eq!(
            next(html).as_deref(),
            Some("http://news.example/n.html"),
            "{html}"
        );
    }
}

#[test]
fn the_wider_vocabulary() {
    for label in [
        "المقالة التالية",
        "التدوينة التالية",
        "المنشور التالي",
        "الموضوع التالي",
        "الخبر التالى",
        "Article suivant",
        "Billet suivant",
        "Next post",
        "Next Post →",
        "Newer Post",
        "رسالة أحدث",
        "Article plus récent",
        "Up next: Port authority unveils plan",
        "Read next",
        "À lire ensuite",
        "Lire l'article suivant",
    ] {
        let html = format!(r#"<a href="/n2.html">{label}</a>"#);
        assert_eq!(
            next(&html).as_deref(),
            Some("http://news.example/n2.html"),
            "{label}"
        );
    }
}

#[test]
fn bare_words_count_after_everything_else() {
    // A word with the headline beside it, in the link.
    for word in ["التالي", "Suivant", "Next", "Next »", "Next Page »"] {
        let html = format!(
            r#"<div class="nav"><a href="/n2.html"><span>{word}</span><br><span>Port authority unveils plan</span></a></div>"#
        );
        assert_eq!(
            next(&html).as_deref(),
            Some("http://news.example/n2.html"),
            "{word}"
        );
        assert_eq!(via(&html), Some(Via::Word), "{word}");
    }
    // A word beside a recognisable previous link, even a disabled one; the headline in `title`.
    let html = r##"<nav class="pagination"><a href="#" class="pagination--pager disabled">Previous</a><a href="/n2.html" class="pagination--pager">Next</a></nav>"##;
    assert_eq!(next(html).as_deref(), Some("http://news.example/n2.html"));
    let html = r#"<div><a href="/n2.html" title="Port authority unveils plan">Next</a></div>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/n2.html"));
    // A word alone, with nothing beside it: a slider's, a gallery's, anything's.
    assert_eq!(
        next(r#"<div class="nav"><a href="/n2.html">Next</a></div>"#),
        None
    );
    // "Next" in its own element, then the headline.
    let html = r#"<div class="nav-next"><a href="/n2.html"><span class="meta-nav">Next</span> Port authority unveils terminal plan</a></div>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/n2.html"));
    // A headline that merely begins with the word is not a label.
    assert_eq!(
        next(r#"<a href="/n2.html">Next year's budget is approved</a>"#),
        None
    );
    // A bare word to a numbered page is listing pagination.
    assert_eq!(
        next(r#"<a href="/list/2/" title="Page two of the list">Next »</a>"#),
        None
    );
    // A labelled link beats a word.
    let html =
        r#"<a href="/w.html" title="A headline here">Next</a><a href="/l.html">Next article</a>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/l.html"));
}

#[test]
fn traps_are_refused() {
    let html = r#"<p>انظر المقال التالي في العدد القادم</p>
        <a href="/also.html">اقرأ أيضا: المقال التالي</a>
        <a href="/prev.html" rel="prev">المقال السابق</a>
        <a href="?cpage=2#comments" rel="next">Next</a>
        <div class="previous-posts"><a href="/real-next.html">Next article</a></div>"#;
    assert_eq!(
        next(html).as_deref(),
        Some("http://news.example/real-next.html")
    );
}

#[test]
fn older_is_never_followed() {
    let html = r#"<div class="blog-pager"><a class="blog-pager-older-link" href="/2026/11/older.html" title="Older Post">Older Post</a>
        <a class="home-link" href="/">Home</a></div>"#;
    assert_eq!(next(html), None);
    let html = r#"<a href="/o.html" rel="next">رسالة أقدم</a>"#;
    assert_eq!(next(html), None, "evidence both ways: not followed");
}

#[test]
fn pagination_alone_gives_nothing() {
    assert_eq!(next(r#"<a href="?page=2" rel="next">Next ›</a>"#), None);
    assert_eq!(
        next(r#"<link rel="next" href="/a/current-1.html?page=2">"#),
        None
    );
    assert_eq!(
        next(
            r#"<div class="pagination"><a class="next page-numbers" href="/news/page/2/" rel="next">التالي »</a></div>"#
        ),
        None
    );
    // Listing and comment pagination on an article page.
    let html = r#"<nav class="navigation posts-navigation" aria-label="Posts"><h2 class="screen-reader-text">Posts navigation</h2>
        <div class="nav-links"><div class="nav-previous"><a href="/x/">Older posts</a></div><div class="nav-next"><a href="/y/">Newer posts</a></div></div></nav>
        <nav class="comment-navigation"><div class="nav-next"><a href="/a/current-1.html/comment-page-2/#comments">Newer comments</a></div></nav>"#;
    assert_eq!(next(html), None);
}

#[test]
fn continuation_pages_are_the_same_article() {
    let page = "http://news.example/2026/11/20/budget-vote/";
    let html = r#"<p class="post-nav-links">Pages: <span class="post-page-numbers current">1</span> <a href="/2026/11/20/budget-vote/2/" class="post-page-numbers">2</a></p>
        <p class="post-nav-links"><a href="/2026/11/20/budget-vote/2/" class="post-page-numbers">Next page</a></p>"#;
    assert_eq!(found(html, page), None);
    let html = r#"<a href="/2026/11/20/budget-vote/?page=2">الصفحة التالية</a>"#;
    assert_eq!(found(html, page), None);
}

#[test]
fn query_permalinks_are_articles() {
    let html = r#"<nav class="navigation post-navigation" aria-label="Posts"><div class="nav-links">
        <div class="nav-previous"><a href="/?p=122" rel="prev">Old</a></div>
        <div class="nav-next"><a href="/?p=124" rel="next">New</a></div></div></nav>"#;
    let n = found(html, "http://news.example/?p=123").unwrap();
    assert_eq!(n.url.as_str(), "http://news.example/?p=124");
    let html = r#"<ul class="pager pagenav"><li class="previous"><a href="/index.php?option=com_content&view=article&id=44&catid=8" rel="prev">Prev</a></li>
        <li class="next"><a href="/index.php?option=com_content&view=article&id=46&catid=8" rel="next">Next</a></li></ul>"#;
    let n = found(
        html,
        "http://news.example/index.php?option=com_content&view=article&id=45&catid=8",
    )
    .unwrap();
    assert!(n.url.as_str().ends_with("id=46&catid=8"), "{}", n.url);
}

#[test]
fn structure_without_labels() {
    // WordPress core's default: titles only, rel on each side.
    let html = r#"<nav class="navigation post-navigation" aria-label="Posts"><h2 class="screen-reader-text">Post navigation</h2>
        <div class="nav-links"><div class="nav-previous"><a href="/old/" rel="prev">Old title</a></div>
        <div class="nav-next"><a href="/new/" rel="next">New title</a></div></div></nav>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/new/"));
    assert_eq!(via(html), Some(Via::RelNext));
    // Twenty Twenty: no rel, no words; a named navigation and class words.
    let html = r#"<nav class="pagination-single section-inner" aria-label="Post"><div class="pagination-single-inner">
        <a class="previous-post" href="/old/"><span class="arrow" aria-hidden="true">←</span><span class="title">Old title</span></a>
        <a class="next-post" href="/new/"><span class="arrow" aria-hidden="true">→</span><span class="title">New title</span></a></div></nav>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/new/"));
    assert_eq!(via(html), Some(Via::Structure));
    // The newest post: only the previous side.
    let html = r#"<nav class="pagination-single" aria-label="Post"><a class="previous-post" href="/old/">Old title</a></nav>"#;
    assert_eq!(next(html), None);
    // Unnamed, but a pair whose other side says previous.
    let html = r#"<div class="post-links"><div class="prev-link"><a href="/old/">Old</a></div><div class="next-link"><a href="/new/">New</a></div></div>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/new/"));
    // A class word alone is not proof.
    assert_eq!(
        next(r#"<div class="next"><a href="/new/">New</a></div>"#),
        None
    );
    // In a named post navigation, the one beside a recognisable previous link.
    let html = r#"<nav aria-label="تصفح المقالات"><a href="/old/">« السابق</a><a href="/new/">عنوان جديد</a></nav>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/new/"));
}

#[test]
fn two_links_bare_beside_each_other() {
    // Enfold's adjacent-post links at the foot of the page's wrapper, among all its links.
    let html = r#"<body><div id="wrap_all"><header><a href="/">Home</a><a href="/a/">A</a><a href="/b/">B</a></header>
        <main><h1>Story</h1><p>Text</p></main><footer><a href="/c/">C</a><a href="/d/">D</a><a href="/e/">E</a>
        <a href="/f/">F</a><a href="/g/">G</a></footer>
        <a class="avia-post-nav avia-post-prev" href="/?p=402"><span class="entry-title">Old title</span></a><a class="avia-post-nav avia-post-next" href="/?p=419"><span class="entry-title">New title</span></a></div></body>"#;
    let n = found(html, "http://news.example/?p=411").unwrap();
    assert_eq!(n.url.as_str(), "http://news.example/?p=419");
    assert_eq!(n.via, Via::Structure);
}

#[test]
fn the_newer_of_two_dated_links() {
    let side = |href: &str, date: &str| {
        format!(
            r#"<span><a class="flex group" href="{href}"><span>←</span><span>A headline here</span><time datetime="{date}">d</time></a></span>"#
        )
    };
    let html = format!(
        r#"<h1>Story</h1><div class="flex justify-between">{}{}</div>"#,
        side("/old/", "2024-01-27 10:00:00 +0100 +0100"),
        side("/new/", "2024-03-04T09:30:00+01:00")
    );
    assert_eq!(next(&html).as_deref(), Some("http://news.example/new/"));
    // Alone (the newest post's box), or beside an undated link: not followed.
    let html = format!(
        r#"<h1>Story</h1><div class="flex">{}</div>"#,
        side("/old/", "2024-01-27")
    );
    assert_eq!(next(&html), None);
    let html = format!(
        r#"<h1>Story</h1><div class="flex">{}<span><a href="/x/">Undated headline</a></span></div>"#,
        side("/old/", "2024-01-27")
    );
    assert_eq!(next(&html), None);
}

#[test]
fn base_href_is_honoured_and_fragments_dropped() {
    let html = r#"<head><base href="http://news.example/x/"></head><a href="n.html#top">Article suivant</a>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/x/n.html"));
}

#[test]
fn rel_next_is_a_declaration() {
    assert_eq!(
        next(r#"<a href="/z.html" rel="next">›</a>"#).as_deref(),
        Some("http://news.example/z.html")
    );
    assert_eq!(
        next(r#"<head><link rel="next" href="/y.html"></head>"#).as_deref(),
        Some("http://news.example/y.html")
    );
}

#[test]
fn label_beside_a_single_link() {
    let html = r#"<div class="nav"><span>الخبر التالي</span><a href="/n.html">عنوان الخبر</a></div>
        <aside><h3>المقال التالي</h3><a href="/x.html">x</a><a href="/y.html">y</a></aside>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/n.html"));
    assert_eq!(via(html), Some(Via::LabelNearby));
}

#[test]
fn a_word_beside_a_link_where_the_box_says_next() {
    let html = r#"<div class="post-next"><span class="label">التالي</span><a href="/n.html">عنوان الخبر</a></div>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/n.html"));
    let html = r#"<div class="box"><span class="label">التالي</span><a href="/n.html">عنوان الخبر</a></div>"#;
    assert_eq!(next(html), None, "a word alone is not enough");
}

#[test]
fn sides_named_by_age() {
    let html = r#"<nav class="post-navigation" aria-label="Post Navigation">
        <a href="/old/" aria-label="Older"><p>Old title here</p></a><a href="/new/" aria-label="Newer"><p>New title here</p></a></nav>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/new/"));
    let html = r#"<nav aria-label="Post Navigation"><a href="/old/" aria-label="Older"><p>Old title here</p></a>
        <div class="disabled" aria-label="Newer"><p>-</p></div></nav>"#;
    assert_eq!(next(html), None);
    // The side named by CSS `content: attr(prompt)`.
    let html = r#"<div class="post-navigation"><a href="/old/" class="btn" prompt="الأقدم"><p>عنوان قديم هنا</p></a>
        <a href="/new/" class="btn" prompt="الأجدد"><p>عنوان جديد هنا</p></a></div>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/new/"));
}

#[test]
fn label_as_plain_text_before_the_link() {
    let html = r#"<ul><li>المقال التالي: <a href="/n2.html">عنوان</a></li></ul>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/n2.html"));
    let html = r#"<p class="suite">Article suivant : <a href="/n2.html">Titre</a></p>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/n2.html"));
}

#[test]
fn read_next_cards_are_not_a_next_link() {
    let html = r#"<h1>Story</h1><section class="read-next"><h3>Read next</h3><div class="cards">
        <article><a href="/one.html">One</a></article><article><a href="/two.html">Two</a></article>
        <article><a href="/three.html">Three</a></article></div></section>"#;
    assert_eq!(next(html), None);
}

#[test]
fn a_single_recommended_card_is_not_a_next_link() {
    let html = r#"<h1>Story</h1><section><h3>Read next</h3><article class="card"><a href="/one.html"><img src="/i.jpg" alt=""></a>
        <h4><a href="/one.html">One headline</a></h4></article></section>"#;
    assert_eq!(next(html), None);
    // Written on the link itself, it is the site's pointer.
    let html = r#"<a href="/one.html"><span>Up next:</span> One headline</a>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/one.html"));
}

#[test]
fn a_post_navigation_inside_an_aside_is_not_a_teaser() {
    let html = r#"<h1>Story</h1><aside class="post-nav-wrap"><nav aria-label="Post navigation">
        <a href="/old.html" rel="prev">Old</a><a href="/new.html" rel="next">New</a></nav></aside>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/new.html"));
}

#[test]
fn previous_and_next_labels_in_one_box() {
    let html = r#"<div><span>المقال السابق</span><a href="/prev.html">x</a><span>المقال التالي</span><a href="/n2.html">y</a></div>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/n2.html"));
}

#[test]
fn sidebar_teasers_are_refused() {
    let html = r#"<aside class="widget"><h3><a href="/trap.html">المقال التالي</a></h3></aside><nav><a href="/n2.html">المقال التالي</a></nav>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/n2.html"));
    let html = r#"<h1>Story</h1><div class="sidebar"><a href="/trap.html">Next article</a></div>"#;
    assert_eq!(next(html), None);
    // A layout class on the page's wrapper is not a sidebar.
    let html = r#"<body class="single right-sidebar"><div class="has-sidebar"><h1>Story</h1><a href="/n2.html">Next article</a></div></body>"#;
    assert_eq!(next(html).as_deref(), Some("http://news.example/n2.html"));
}

#[test]
fn refusals_are_reported() {
    let page = Url::parse(PAGE).unwrap();
    let html =
        r#"<a href="/prev.html" rel="next">Previous article</a><a href="?page=2">Next article</a>"#;
    let d = next_article(&Html::parse_document(html), &page, None);
    assert_eq!(d.next, None);
    let whys: Vec<&str> = d.refused.iter().map(|r| r.why).collect();
    assert!(
        whys.contains(&"another page of the same document"),
        "{whys:?}"
    );
    assert!(
        whys.contains(&"the link says previous or older"),
        "{whys:?}"
    );
}

#[test]
fn user_selector_wins() {
    let page = Url::parse("http://news.example/a").unwrap();
    let sel = Selector::parse(".go").unwrap();
    let doc = Html::parse_document(
        r#"<a href="/label">Next article</a><div class="go"><a href="/sel">x</a></div>"#,
    );
    let n = next_article(&doc, &page, Some(&sel)).next.unwrap();
    assert_eq!(n.url.path(), "/sel");
    assert_eq!(n.via, Via::Selector);
}
