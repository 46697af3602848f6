//! What bylines and datelines say, and where they sit: the boxes that hold them, the words that
//! open a byline, the job titles and agencies that follow a name, and the words that introduce a
//! publication or an update date.

/// The elements that may hold a byline (CSS): author markup (`itemprop`, `rel`) and boxes whose
/// class or id names the author, the byline or the writer (French "auteur"; «kateb», كاتب as
/// Maghreb themes transliterate it).
pub const AUTHOR_ELEMENTS_CSS: &str = r#"[itemprop~="author"], [rel~="author"], [class*="author"], [class*="byline"], [class*="writer"], [class*="auteur"], [class*="kateb"], [id*="author"]"#;

/// The elements that may hold a dateline (CSS): boxes whose class or id names a date, a time,
/// publishing, the post's meta line or byline («tarikh», تاريخ transliterated).
pub const DATE_ELEMENTS_CSS: &str = r#"[class*="date"], [class*="time"], [class*="publish"], [class*="posted"], [class*="meta"], [class*="byline"], [id*="date"], [class*="tarikh"], [class*="dateline"]"#;

/// Words that open a byline («بقلم», «كتب», "By", "Par", "Reporting by"): the author finder
/// reads a byline after them and strips them from the names it keeps. "de" ("Un article de
/// Jean Dupont") is only stripped, never taken as the sign of a byline.
pub const BYLINE_WORDS: &[&str] = &[
    "بقلم",
    "كتب",
    "كتبه",
    "كتبت",
    "إعداد",
    "اعداد",
    "تحرير",
    "by",
    "par",
    "written by",
    "auteur",
    "de",
    "reporting by",
    "story by",
];

/// The one of [`BYLINE_WORDS`] that only strips: too common a word to open a byline.
pub const BYLINE_WORDS_NOT_OPENING: &[&str] = &["de"];

/// Words that open a byline printed as a paragraph of the body (a short one, eight words at
/// most), which the body's cleanup drops. Fewer than [`BYLINE_WORDS`]: the cleanup drops text,
/// and the words it lacks («كتبت», "reporting by", "story by") were never weighed against the
/// paragraphs they would drop.
pub const BODY_BYLINE_WORDS: &[&str] = &[
    "بقلم",
    "كتب",
    "كتبه",
    "by",
    "par",
    "written by",
    "auteur",
    "إعداد",
    "اعداد",
    "تحرير",
];

/// Job titles and agencies that follow a name in bylines ("Jane Doe, Staff Reporter"): never a
/// name themselves.
pub const JOB_TITLES: &[&str] = &[
    "staff reporter",
    "staff writer",
    "reporter",
    "correspondent",
    "editor",
    "senior editor",
    "contributor",
    "columnist",
    "special correspondent",
    "journaliste",
    "correspondant",
    "correspondante",
    "rédaction",
    "redaction",
    "envoyé spécial",
    "envoyée spéciale",
    "مراسل",
    "مراسلة",
    "صحفي",
    "صحفية",
    "محرر",
    "staff",
    "associated press",
    "afp",
    "reuters",
    "ap",
];

/// Given names that begin with و: Arabic writes "and" attached to the next name («سعيد
/// الإدريسي وليلى بنعمر» is two authors), but «وليد» is one name.
pub const WAW_NAMES: &[&str] = &[
    "وليد",
    "وفاء",
    "وئام",
    "وداد",
    "وسيم",
    "وجدي",
    "وهيبة",
    "وردة",
    "وائل",
    "وسام",
    "وحيد",
    "وديع",
    "وصال",
    "ولاء",
    "وهبي",
    "وزاني",
    "الوزاني",
    "ورياغلي",
];

/// Words that introduce the publication date in a dateline (matched in lower case).
pub const PUBLISHED_MARKERS: &[&str] = &[
    "published",
    "posted",
    "publié",
    "publie",
    "نشر",
    "تاريخ النشر",
    "نُشر",
];

/// Words that introduce an update in a dateline: the date after them is not the publication's.
pub const UPDATED_MARKERS: &[&str] = &[
    "updated",
    "update",
    "mis à jour",
    "mis a jour",
    "modifié",
    "آخر تحديث",
    "تحديث",
    "عدل",
    "تعديل",
];
