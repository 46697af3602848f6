//! The body's reading, end to end: whole pages in, paragraphs out.

use super::*;

fn body(html: &str) -> Vec<String> {
    generic_body(&Html::parse_document(html)).paragraphs
}

const LONG: &str = "This is a long paragraph of article text, with commas, and enough words to score well in the content scorer of arshif.";

#[test]
fn picks_the_article_over_the_sidebar() {
    let html = format!(
        "<body><div class=sidebar><ul><li><a href=/a>Most read one</a></li><li><a href=/b>Most read two</a></li></ul></div>\
         <div class=article-body><p>{LONG}</p><p>{LONG} Second.</p></div><footer>Copyright</footer></body>"
    );
    let b = body(&html);
    assert_eq!(b.len(), 2, "{b:?}");
    assert!(b[0].starts_with("This is"));
}

#[test]
fn a_link_heavy_opening_does_not_hide_the_article() {
    // An infobox of links first, then the prose: the chosen box is rendered whole.
    let links: String = (0..40)
        .map(|i| format!(r#"<a href="/w/{i}">Linked term number {i}</a> "#))
        .collect();
    let html = format!(
        r#"<body><div id="content-text"><table class="infobox"><tr><td>{links}</td></tr></table>
           <p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div></body>"#
    );
    assert!(body(&html).iter().filter(|p| p.as_str() == LONG).count() == 3);
}

#[test]
fn share_buttons_inside_the_article_do_not_make_it_a_link_list() {
    let shares: String = (0..8)
        .map(|i| format!(r#"<li class="share-item"><a href="/s{i}">Click to share on network number {i}</a></li>"#))
        .collect();
    let html = format!(
        r#"<body><div class="story"><div class="entry-content"><p><a href="/p">Someone</a> said something, and then more was said about it, at length.</p>
           <p>A second short paragraph, with commas, of plain text.</p><div class="sharedaddy"><ul>{shares}</ul></div></div></div></body>"#
    );
    let b = body(&html);
    assert!(b.iter().any(|p| p.starts_with("Someone said")), "{b:?}");
    assert!(!b.iter().any(|p| p.contains("Click to share")), "{b:?}");
}

#[test]
fn text_written_straight_into_a_box_is_running_text() {
    // Blogger posts: text and <br> in a div, the wrappers named after dates.
    let lines = format!("{LONG}<br>{LONG}<br><br>{LONG}<br>{LONG}");
    let html = format!(
        r#"<body><div class="blog-posts"><div class="date-outer"><h2 class="date-header">Monday</h2><div class="date-posts">
           <div class="post-body entry-content">{lines}</div></div></div></div>
           <div class="sidebar"><p>A short note about the author of this blog.</p></div></body>"#
    );
    assert!(body(&html).iter().any(|p| p.contains(LONG)));
}

#[test]
fn an_aside_holding_the_article_is_the_article() {
    let html = format!(
        r#"<body><main><aside class="pa pa-direct-content"><section class="ar-detail">
           <p>{LONG}</p><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></section></aside>
           <aside class="site-sidebar"><p>{LONG}</p></aside></main></body>"#
    );
    assert_eq!(body(&html).len(), 4);
}

#[test]
fn chinese_paragraphs_are_running_text() {
    // Short by character count, long by what they say: the wrapper named with "nav" that
    // holds them is protected.
    let p =
        "梁振英在接受质询前的发言中说，他从无任何存心隐瞒的意图，但必须承认自己有处理疏忽之处。";
    let html = format!(
        r#"<body><div id="container" class="lang-zh int-nav"><div class="story-body"><p>{p}</p><p>{p}</p><p>{p}</p></div></div></body>"#
    );
    assert_eq!(body(&html).len(), 3);
}

#[test]
fn a_second_reading_finds_an_article_in_a_box_named_like_chrome() {
    let html = format!(
        r#"<body><section id="mainContent"><div class="row" id="titleAndMetas"><h1>Title</h1>
           <div id="articleContent"><p>{LONG}</p><p>{LONG}</p></div></div></section>
           <footer><p>Contact us, imprint and legal notices of this site.</p></footer></body>"#
    );
    assert_eq!(
        generic_body(&Html::parse_document(&html)).paragraphs.len(),
        2
    );
}

#[test]
fn the_second_reading_takes_no_listing_and_no_wall() {
    let text = |ps: &[&str], teasers| BodyText {
        paragraphs: ps.iter().map(|p| p.to_string()).collect(),
        teasers,
    };
    let nothing = text(&[], 0);
    // An article where there was nothing.
    assert!(prefer_loose(&nothing, &text(&[LONG, LONG], 0), 0));
    // Teasers around the box, a linked headline for every paragraph or so: a listing.
    assert!(!prefer_loose(&nothing, &text(&[LONG, LONG, LONG], 4), 0));
    // An article with a few linked headings in it is still an article.
    assert!(prefer_loose(&nothing, &text(&[LONG; 12], 3), 0));
    // Not twice what the strict reading found, or not holding it: the strict one stays.
    let short = text(
        &["A short intro, with a comma, that is the article itself."],
        0,
    );
    assert!(!prefer_loose(&short, &text(&[LONG], 0), 60));
    assert!(!prefer_loose(&short, &text(&[LONG, LONG, LONG], 0), 60));
    // A cookie wall is furniture in both readings.
    let wall = format!(
        r#"<body><div class="cookie-consent-wall"><p>{LONG}</p><p>{LONG}</p></div></body>"#
    );
    assert!(
        generic_body(&Html::parse_document(&wall))
            .paragraphs
            .is_empty()
    );
}

#[test]
fn an_article_in_chunks_is_read_whole() {
    let second = "The second part of the story goes on, with commas, after the advertisement placed by the page builder.";
    let html = format!(
        r#"<body><div class="story"><div class="component"><div class="component-content"><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div></div>
           <div class="ad-slot">Advertisement</div>
           <div class="component"><div class="component-content"><p>{second}</p><p>{second}</p></div></div></div>
           <div class="sidebar"><p>A short note about the newsletter.</p></div></body>"#
    );
    let b = body(&html);
    assert_eq!(
        b.iter().filter(|p| p.as_str() == second).count(),
        2,
        "{b:?}"
    );
    assert!(!b.iter().any(|p| p.contains("newsletter")), "{b:?}");
}

#[test]
fn an_opening_in_boxes_of_one_paragraph_is_kept() {
    let opening = "Emergency services were called to the restaurant on Sunday evening, after a diner fell ill.";
    let html = format!(
        r#"<body><div id="mainBodyArea"><div class="firstPar"><p>{opening}</p></div>
           <div class="secondPar"><p>{opening}</p></div>
           <div class="body"><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div></div></body>"#
    );
    let b = body(&html);
    assert_eq!(b.first().map(String::as_str), Some(opening), "{b:?}");
}

#[test]
fn a_page_drawn_by_scripts_is_read_from_its_noscript() {
    let inner = format!(
        r#"<div class="post"><h3>Title</h3><div class="post-body"><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></div></div>"#
    );
    let html = format!(
        r#"<body><div id="app" class="loading"></div><noscript>{inner}</noscript><script>render()</script></body>"#
    );
    assert_eq!(
        generic_body(&Html::parse_document(&html)).paragraphs.len(),
        4
    );
    // A noscript that says only to turn scripts on is no article.
    let html = r#"<body><div id="app"></div><noscript><p>Please enable JavaScript to view this site.</p></noscript></body>"#;
    assert!(
        generic_body(&Html::parse_document(html))
            .paragraphs
            .is_empty()
    );
}

#[test]
fn state_classes_name_no_chrome() {
    for open in [
        r#"<article class="none comments-enabled article">"#,
        r#"<article class="post has-comments f_comments_on">"#,
        // An opinion piece is a commentary, not a comment section.
        r#"<article class="sect sect_article news commentary">"#,
    ] {
        let html = format!("<body>{open}<p>{LONG}</p><p>{LONG}</p></article></body>");
        assert_eq!(body(&html).len(), 2, "{open}");
    }
    // The box holding most of the page's prose is dropped only when it names itself a
    // comment section, not for a word that merely contains "comment".
    let html = format!(
        r#"<body><article class="post hentry commented"><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p><p>{LONG}</p></article></body>"#
    );
    assert_eq!(body(&html).len(), 4);
    // A comment section is still one, protected or not.
    let comments: String = (0..6)
        .map(|_| format!(r#"<li class="comment"><p>{LONG}</p></li>"#))
        .collect();
    let html = format!(
        r#"<body><article><p>{LONG}</p></article><div id="comments" class="comments-area"><ol>{comments}</ol></div></body>"#
    );
    assert_eq!(body(&html).len(), 1);
}

#[test]
fn japanese_punctuation_counts_as_prose() {
    // Clauses end in 、 and 。; the lists of places are links. A one-line offer in a box
    // named for the article must not outrank them.
    let places: String = (0..12)
        .map(|i| match i % 2 {
            0 => format!(r#"<a href="/topics/{i}">町名{i}</a>、"#),
            _ => format!("村名{i}、"),
        })
        .collect();
    let html = format!(
        r#"<body><div class="ArticleNoteBox"><p>【キャンペーン】有料記事読み放題！今なら月額100円！詳しくはこちら</p></div>
           <main><div class="k1"><p><a href="/t/a">気象庁</a>は13日、午後9時19分ごろ、日向灘で震度5弱の地震があったと発表した。震源の深さは約30キロと推定される。</p>
           <p>各地の震度は次のとおり。</p><p>宮崎県：{places}</p><p>熊本県：{places}</p><p>大分県：{places}</p></div></main></body>"#
    );
    let b = body(&html);
    assert!(b.iter().any(|p| p.starts_with("気象庁は13日")), "{b:?}");
    assert!(!b.iter().any(|p| p.contains("キャンペーン")), "{b:?}");
}

#[test]
fn an_article_in_twin_sections_is_read_whole() {
    // The opening in one section, the rest in its twin after a related-links module: the
    // twin is the article's, whatever its share of the text.
    let rest: String = (0..8).map(|i| format!("<p>{LONG} Part {i}.</p>")).collect();
    let html = format!(
        r#"<body><article id="story"><h1>Headline</h1>
           <div class="story-wrap"><div class="story-body story-body-1"><p>The opening paragraph, with the news in it, told plainly.</p></div></div>
           <aside class="related"><h2><a href="/x">Another story</a></h2></aside>
           <div class="story-wrap"><div class="story-body story-body-2">{rest}</div></div></article></body>"#
    );
    let b = body(&html);
    assert!(b[0].starts_with("The opening paragraph"), "{b:?}");
    assert_eq!(b.len(), 9, "{b:?}");
    // On a blog's front page the twins are posts, each under its linked headline: the
    // article is the one post, not the page.
    let post = |n: usize, paragraphs: usize| {
        let text: String = (0..paragraphs)
            .map(|i| format!("<p>{LONG} Post {n}, {i}.</p>"))
            .collect();
        format!(
            r#"<div class="post"><h2><a href="/p{n}">Post {n}</a></h2><div class="entry-content">{text}</div></div>"#
        )
    };
    let html = format!(
        r#"<body><div id="content">{}{}</div></body>"#,
        post(1, 8),
        post(2, 2)
    );
    let b = body(&html);
    assert!(b.iter().all(|p| p.contains("Post 1")), "{b:?}");
}

#[test]
fn a_dialog_is_never_the_article_however_long() {
    // A paper's abstract in short paragraphs; its disclosures, longer, wait in a modal.
    let disclosures: String = (0..5)
        .map(|i| format!("<p>{LONG} Disclosure {i}.</p>"))
        .collect();
    let html = format!(
        r#"<body><main><article><div class="article__body"><h2>Results:</h2><p>No evidence indicated that vaccination reduced hospitalizations.</p>
           <h2>Conclusion:</h2><p>Current strategies may be less effective than believed.</p></div>
           <div class="ux-modal-container"><div class="modal"><div class="modal__body">{disclosures}</div></div></div></article></main></body>"#
    );
    let b = body(&html);
    assert!(b.iter().any(|p| p.starts_with("No evidence")), "{b:?}");
    assert!(!b.iter().any(|p| p.contains("Disclosure")), "{b:?}");
}

#[test]
fn the_standfirst_in_the_header_opens_the_article() {
    let rest: String = (0..4).map(|i| format!("<p>{LONG} Part {i}.</p>")).collect();
    let html = format!(
        r#"<body><aside class="teasers"><div class="teaser"><a href="/x"><p class="teaser__intro">Another story's opening, in a teaser that links elsewhere and is never this article.</p></a></div></aside>
           <main><article><header class="Post__header"><h1>The headline</h1><div class="Post__lead"><h2>Three sentences open the story. They sit in the header, beside the headline, as themes print them.</h2></div>
           <p class="byline">By Someone</p></header><div class="article-body">{rest}</div></article></main></body>"#
    );
    let b = body(&html);
    assert!(b[0].starts_with("Three sentences open the story"), "{b:?}");
    assert_eq!(b.len(), 5, "{b:?}");
    assert!(!b.iter().any(|p| p.contains("Another story")), "{b:?}");
}

#[test]
fn the_boxes_around_a_short_article_are_not_its_rivals() {
    // A short post nested in the post, main and content boxes (each scoring nearly as well
    // for holding it); a sidebar of two long notes beside it.
    let line = "Preparation takes 25 minutes plus 15 minutes of baking and makes four trays of biscuits for the whole family to share over the holidays";
    let html = format!(
        r#"<body><div id="wrapper"><div id="content" class="col-full"><div id="main" class="col-left"><div class="post hentry" id="post-111">
           <h1>Almond biscuits</h1><div class="entry clearfix"><p>{line}</p><p>{line} again</p><p>{line} once more</p></div></div></div>
           <div id="sidebar" class="col-right"><div class="widget widget_text"><div class="textwidget"><p>{LONG} {LONG} A note on licences.</p></div></div>
           <div class="widget widget_text"><div class="textwidget"><p>{LONG} {LONG} A disclaimer on links.</p></div></div></div></div></div></body>"#
    );
    let b = body(&html);
    assert_eq!(b.len(), 3, "{b:?}");
    assert!(b.iter().all(|p| p.starts_with("Preparation")), "{b:?}");
}

#[test]
fn a_paragraph_that_is_a_link_to_the_site_points_elsewhere() {
    let html = format!(
        r#"<html><head><link rel="canonical" href="https://www.example.de/news/a"></head><body><article>
           <p>{LONG}</p><p>{LONG} The <a href="https://www.cnn.com/x">report</a> is worth reading.</p>
           <p><a href="https://www.cnn.com/opinion/generation">The generation we love to dump on</a></p>
           <h3>Mehr lesen:</h3><p><a href="https://www.example.de/news/b">Coach: „Next we win the cup“</a></p>
           <p><a href="/news/c">The federation names its youth teams</a></p></article></body></html>"#
    );
    let b = clean(
        body(&html),
        &Cleanup {
            title: None,
            authors: &[],
        },
    );
    assert_eq!(b.len(), 3, "{b:?}");
    assert!(b[2].starts_with("The generation"), "{b:?}");
}

#[test]
fn a_page_builders_rows_are_one_article() {
    // WPBakery nests each row of text seven levels under the post's content box.
    let row = |text: &str| {
        format!(
            r#"<div class="vc_row wpb_row"><div class="wpb_column vc_col-sm-12"><div class="vc_column-inner"><div class="wpb_wrapper">
               <div class="wpb_text_column wpb_content_element"><div class="wpb_wrapper">{text}</div></div></div></div></div></div>"#
        )
    };
    let long: String = (0..8)
        .map(|i| format!("<p>{LONG} Row one, {i}.</p>"))
        .collect();
    let html = format!(
        r#"<body><article class="post"><h1>Company cars</h1><div class="entry-content">{}{}{}</div></article>
           <div class="sidebar"><p>{LONG} In the sidebar.</p></div></body>"#,
        row("<p>In this article we set out the main points, and above all the taxes.</p>"),
        row(&long),
        row("<p>Leasing cannot be claimed for tax, the table shows, in most cases.</p>")
    );
    let b = body(&html);
    assert!(b[0].starts_with("In this article"), "{b:?}");
    assert!(b.last().unwrap().starts_with("Leasing cannot"), "{b:?}");
    assert!(!b.iter().any(|p| p.contains("sidebar")), "{b:?}");
}

#[test]
fn a_section_named_after_its_heading_is_text() {
    let html = format!(
        r#"<body><div class="content"><div class="section" id="sharing-with-other-developers">
           <h2>Sharing with other developers</h2><p>{LONG}</p><p>{LONG}</p></div>
           <div class="section" id="summary"><h2>Summary</h2><p>{LONG}</p></div>
           <div id="sharing-buttons"><p>Share this on the networks, it helps us a lot.</p></div></div></body>"#
    );
    let b = body(&html);
    assert_eq!(b.iter().filter(|p| p.as_str() == LONG).count(), 3, "{b:?}");
    assert!(!b.iter().any(|p| p.contains("Share this")), "{b:?}");
    // A heading carrying its own slug ("grundlegende" holds "legend"; "ü" became "u").
    let html = format!(
        r#"<body><div class="entry-content"><p>{LONG}</p>
           <h3 id="im-fruhjahr-grundlegende-techniken">Im Frühjahr: grundlegende Techniken</h3><p>{LONG}</p></div></body>"#
    );
    assert!(body(&html).iter().any(|p| p.starts_with("Im Frühjahr")));
    // A heading's id is an anchor, even one a table of contents names `nav_…`.
    let html = format!(
        r#"<body><div class="entry-content"><p>{LONG}</p><h3 id="nav_only_the_foil__1">Only the foil remains</h3><p>{LONG}</p></div></body>"#
    );
    assert!(body(&html).iter().any(|p| p == "Only the foil remains"));
}

#[test]
fn captions_legends_and_what_is_never_printed_are_chrome() {
    let html = format!(
        r#"<body><article><p>{LONG}</p><div class="imageBox"><img src="a.jpg"><div class="legend">The photograph shows the meeting of the council, in the spring.</div></div>
           <p>{LONG}</p><div class="noprint"><p>Call our booking line today, at any hour, for the best offers.</p></div></article></body>"#
    );
    let b = body(&html);
    assert_eq!(b, [LONG, LONG]);
    // A box of teasers is chrome; a dateline opening a sentence is the sentence's.
    let html = format!(
        r#"<body><article><p><span class="dateline">KOBE –</span> {LONG}</p><p>{LONG}</p><div class="teasers"><h2>More on this</h2>
           <div class="teasers-item"><h3><a href="/x">Another story</a></h3><p>Its summary, a sentence long, printed under the link.</p></div></div></article></body>"#
    );
    let b = body(&html);
    assert_eq!(b, [format!("KOBE – {LONG}"), LONG.to_string()]);
}

#[test]
fn the_main_landmark_is_never_chrome_by_its_class() {
    // A modifier class naming comments ("comments disabled") on the page's `main`.
    for open in [
        r#"<main class="content av-blog-meta-comments-disabled">"#,
        r#"<div role="main" class="sidebar-left comments-closed">"#,
    ] {
        let close = if open.starts_with("<main") {
            "</main>"
        } else {
            "</div>"
        };
        let html =
            format!("<body>{open}<article><p>{LONG}</p><p>{LONG}</p></article>{close}</body>");
        assert_eq!(body(&html).len(), 2, "{open}");
    }
}

#[test]
fn br_br_separates_paragraphs() {
    let html = format!(
        "<body><div class=content>{LONG}<br><br>{LONG} Two.<br>line<br><br>{LONG} Three.</div></body>"
    );
    let b = body(&html);
    assert_eq!(b.len(), 3, "{b:?}");
    assert!(b[1].ends_with("Two.\nline"));
}

#[test]
fn junk_inside_article_is_dropped() {
    let html = format!(
        "<body><article><h1>Title</h1><div class=share-buttons><a href=#>Share</a></div><p>{LONG}</p>\
         <figure><img src=x><figcaption>A caption</figcaption></figure>\
         <div class=related><a href=/x>Related one</a> <a href=/y>Related two</a></div>\
         <p>{LONG} More.</p><section id=comments><p>{LONG} comment</p></section></article></body>"
    );
    let b = body(&html);
    assert_eq!(b.len(), 2, "{b:?}");
    assert!(
        b.iter()
            .all(|p| !p.contains("caption") && !p.contains("comment"))
    );
}

#[test]
fn deep_trees_do_not_overflow() {
    let html = format!(
        "<body>{}<p>{LONG}</p>{}</body>",
        "<div>".repeat(400),
        "</div>".repeat(400)
    );
    assert_eq!(body(&html).len(), 1);
}
