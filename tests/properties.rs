//! Properties over generated input (proptest): URL normalisation, the content hash, and search
//! folding. Each would fail on a counterexample, which proptest then shrinks and prints.

use arshif::model::ContentHash;
use arshif::{search, urls};
use proptest::prelude::*;
use url::Url;

/// URLs with mixed-case schemes and hosts, default and other ports, paths, queries with
/// tracking parameters, and fragments.
fn any_url() -> impl Strategy<Value = String> {
    (
        prop_oneof![Just("http"), Just("HTTP"), Just("https"), Just("HtTpS")],
        "[a-zA-Z]{1,8}(\\.[a-zA-Z]{1,8}){0,2}\\.(com|ma|FR)",
        prop_oneof![Just(""), Just(":80"), Just(":443"), Just(":8080")],
        "/([a-z0-9\\-]{1,12}/){0,3}([a-z0-9\\-]{1,12}(\\.html)?)?",
        prop::collection::vec(
            (
                prop_oneof![
                    Just("id".to_string()),
                    Just("page".to_string()),
                    Just("utm_source".to_string()),
                    Just("UTM_Medium".to_string()),
                    Just("fbclid".to_string()),
                ],
                "[a-z0-9]{0,6}",
            ),
            0..4,
        ),
        prop::option::of("[a-z0-9]{0,8}"),
    )
        .prop_map(|(scheme, host, port, path, query, fragment)| {
            let mut s = format!("{scheme}://{host}{port}{path}");
            if !query.is_empty() {
                let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
                s.push('?');
                s.push_str(&q.join("&"));
            }
            if let Some(f) = fragment {
                s.push('#');
                s.push_str(&f);
            }
            s
        })
}

proptest! {
    #[test]
    fn normalising_twice_changes_nothing(s in any_url()) {
        let u = Url::parse(&s).unwrap();
        let once = urls::normalize(&u);
        prop_assert_eq!(urls::normalize(&once), once);
    }

    #[test]
    fn normal_urls_have_no_fragment_tracking_default_port_or_upper_case_host(s in any_url()) {
        let n = urls::normalize(&Url::parse(&s).unwrap());
        prop_assert!(n.fragment().is_none());
        let tracked = n.query_pairs().any(|(k, _)| {
            let k = k.to_ascii_lowercase();
            k.starts_with("utm_") || k == "fbclid"
        });
        prop_assert!(!tracked);
        prop_assert!(n.port() != Some(80) || n.scheme() != "http");
        prop_assert!(n.port() != Some(443) || n.scheme() != "https");
        let host = n.host_str().unwrap();
        prop_assert_eq!(host, host.to_ascii_lowercase());
        prop_assert_eq!(n.scheme(), n.scheme().to_ascii_lowercase());
    }

    #[test]
    fn the_content_hash_ignores_how_whitespace_is_laid_out(
        words in prop::collection::vec("[a-zA-Zءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي]{1,8}", 1..30),
        seps in prop::collection::vec(prop_oneof![Just(" "), Just("  "), Just("\n"), Just("\n\n"), Just("\t"), Just(" \n ")], 30),
    ) {
        let plain = words.join(" ");
        let mut laid_out = String::from("  ");
        for (w, s) in words.iter().zip(seps.iter()) {
            laid_out.push_str(w);
            laid_out.push_str(s);
        }
        prop_assert_eq!(ContentHash::of("t", &plain), ContentHash::of(" t\n", &laid_out));
    }

    #[test]
    fn the_content_hash_sees_one_changed_word_or_hamza(
        words in prop::collection::vec("[a-z]{2,8}", 2..30),
        at in any::<prop::sample::Index>(),
    ) {
        let body = words.join(" ");
        let i = at.index(words.len());
        let mut changed = words.clone();
        changed[i] = format!("{}x", changed[i]);
        prop_assert_ne!(ContentHash::of("t", &body), ContentHash::of("t", &changed.join(" ")));
        let mut hamza = words.clone();
        hamza[i] = format!("ا{}", hamza[i]);
        let mut with_hamza = words.clone();
        with_hamza[i] = format!("أ{}", with_hamza[i]);
        prop_assert_ne!(
            ContentHash::of("t", &hamza.join(" ")),
            ContentHash::of("t", &with_hamza.join(" "))
        );
    }

    #[test]
    fn folding_is_idempotent(s in "\\PC{0,40}") {
        let once = search::fold(&s);
        prop_assert_eq!(search::fold(&once), once);
    }

    #[test]
    fn harakat_tatweel_and_hamza_never_change_the_folded_text(
        letters in prop::collection::vec(prop_oneof![Just('ب'), Just('ت'), Just('س'), Just('م'), Just('ل'), Just('ن')], 1..12),
        marks in prop::collection::vec(prop_oneof![Just(None), Just(Some('\u{064E}')), Just(Some('\u{064F}')), Just(Some('\u{0650}')), Just(Some('\u{0651}')), Just(Some('\u{0652}')), Just(Some('\u{0640}'))], 12),
        alef in prop_oneof![Just('ا'), Just('أ'), Just('إ'), Just('آ'), Just('ٱ')],
    ) {
        let bare: String = std::iter::once('ا').chain(letters.iter().copied()).collect();
        let mut marked = String::new();
        marked.push(alef);
        for (l, m) in letters.iter().zip(marks.iter()) {
            marked.push(*l);
            if let Some(m) = m {
                marked.push(*m);
            }
        }
        prop_assert_eq!(search::fold(&bare), search::fold(&marked));
        let q = search::Query::parse(&bare).unwrap();
        prop_assert_eq!(search::Query::parse(&marked).unwrap().to_fts5(), q.to_fts5());
    }
}
