//! Masking committed secrets in file text, at the point where it enters
//! the program ([`crate::source::read_input`]), so that no later consumer
//! — a parser, an excerpt, an error message, any output format — ever
//! holds a secret's value.
//!
//! The scan works on raw bytes, not on parsed XML: it masks secrets in
//! files that do not parse, are not UTF-8, or are not metadata at all.
//! Every element named like one that holds a secret in some metadata type
//! (`consumerSecret` of a connected app or an External Client App's
//! global OAuth settings; `password`, `oauthToken`, `oauthRefreshToken` of
//! a named credential) is masked in every file, with or without a
//! namespace prefix, however many there are.
//!
//! Masking keeps every position: each character of the value becomes a
//! mask character of the same UTF-8 length (so byte offsets, character
//! columns and UTF-16 columns stay), and white space (space, tab, line
//! feed, carriage return) stays where it is (so line numbers stay, and an
//! empty value stays empty). A byte that is not UTF-8 becomes `0xFF`, still
//! not UTF-8, so a decoding error is reported where it was.

/// Local names of the elements whose text is a secret.
pub const SECRET_ELEMENTS: [&str; 4] = [
    "consumerSecret",
    "password",
    "oauthToken",
    "oauthRefreshToken",
];

/// Masks of one, two, three and four UTF-8 bytes.
const MASKS: [&str; 4] = ["*", "\u{d7}", "\u{2217}", "\u{1f512}"];

/// Masks every secret in `bytes` in place. Returns whether anything was
/// masked.
pub fn mask(bytes: &mut [u8]) -> bool {
    let mut ranges = vec![];
    for name in SECRET_ELEMENTS {
        for at in memchr::memmem::find_iter(bytes, name.as_bytes()) {
            if let Some(range) = secret_at(bytes, at, name) {
                ranges.push(range);
            }
        }
    }
    let masked = !ranges.is_empty();
    for (start, end) in ranges {
        mask_range(&mut bytes[start..end]);
    }
    masked
}

/// [`mask`] on a copy.
pub fn masked(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    mask(&mut out);
    out
}

/// [`mask`] for text that is known to be UTF-8 (it stays UTF-8).
pub fn mask_str(text: &str) -> String {
    let out = masked(text.as_bytes());
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The mask of one character: a character of the same UTF-8 length.
pub fn mask_char(c: char) -> char {
    MASKS[c.len_utf8() - 1].chars().next().unwrap_or('*')
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':') || b >= 0x80
}

/// When `name` at `at` is the local name of a start tag (`<name` or
/// `<prefix:name`, then white space, `>` or `/`), the byte range of the
/// element's content to mask.
fn secret_at(bytes: &[u8], at: usize, name: &str) -> Option<(usize, usize)> {
    let after = at + name.len();
    match bytes.get(after) {
        None => return None,
        Some(b) if is_name_byte(*b) => return None,
        _ => {}
    }
    // Back to the `<`: directly, or over prefixes (`<a:b:name`: the
    // parser takes what follows the last colon as the name).
    let mut lt = at.checked_sub(1)?;
    if bytes[lt] == b':' {
        let mut i = lt;
        while i > 0 && is_name_byte(bytes[i - 1]) {
            i -= 1;
        }
        lt = i.checked_sub(1)?;
    }
    if bytes[lt] != b'<' {
        return None;
    }
    let qname = &bytes[lt + 1..after];
    // The end of the start tag, past quoted attribute values.
    let mut i = after;
    let mut quote = None;
    while i < bytes.len() {
        match (quote, bytes[i]) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(bytes[i]),
            (None, b'>') => break,
            (None, b'<') => return None,
            _ => {}
        }
        i += 1;
    }
    if i >= bytes.len() {
        // A start tag that never ends: what follows may still be the
        // value, as far as anything can tell. Mask it.
        return Some((after, bytes.len()));
    }
    if bytes[i - 1] == b'/' && quote.is_none() {
        return None; // `<consumerSecret/>`
    }
    let start = i + 1;
    Some((start, content_end(bytes, start, qname)))
}

/// Where the content that starts at `start` ends: at the element's own end
/// tag when there is one, else (XML that does not parse) at the first
/// markup that is neither a comment nor a CDATA section, else at the end.
fn content_end(bytes: &[u8], start: usize, qname: &[u8]) -> usize {
    let mut close = Vec::with_capacity(qname.len() + 2);
    close.extend_from_slice(b"</");
    close.extend_from_slice(qname);
    let rest = &bytes[start..];
    for at in memchr::memmem::find_iter(rest, &close) {
        match rest.get(at + close.len()) {
            Some(b) if is_name_byte(*b) => continue,
            _ => return start + at,
        }
    }
    let mut i = start;
    while i < bytes.len() {
        if bytes[i] == b'<' {
            let skip = |open: &[u8], end: &[u8]| {
                bytes[i..].starts_with(open).then(|| {
                    memchr::memmem::find(&bytes[i + open.len()..], end)
                        .map_or(bytes.len(), |e| i + open.len() + e + end.len())
                })
            };
            match skip(b"<![CDATA[", b"]]>").or_else(|| skip(b"<!--", b"-->")) {
                Some(next) => i = next,
                None => return i,
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// Masks every character of `bytes` but white space, keeping lengths.
fn mask_range(bytes: &mut [u8]) {
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
            continue;
        }
        let len = match b {
            0x00..=0x7f => 1,
            0xc2..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf4 => 4,
            _ => 0,
        };
        let valid =
            len > 0 && i + len <= bytes.len() && std::str::from_utf8(&bytes[i..i + len]).is_ok();
        if valid {
            bytes[i..i + len].copy_from_slice(MASKS[len - 1].as_bytes());
            i += len;
        } else {
            bytes[i] = 0xff;
            i += 1;
        }
    }
}

/// Checks what masking promises on `original`, and returns the masked
/// bytes: the same length; line breaks where they were; UTF-8 as valid as
/// before (an invalid byte where the first one was); nothing changed but
/// into a mask; masking twice is masking once; and after a plain
/// `<name>` of a secret element, only masks and white space up to the
/// next markup. For the fuzz target and the mutation test.
pub fn check_invariants(original: &[u8]) -> Result<Vec<u8>, String> {
    let out = masked(original);
    if out.len() != original.len() {
        return Err(format!("length {} became {}", original.len(), out.len()));
    }
    let mask_bytes: Vec<u8> = MASKS.iter().flat_map(|m| m.bytes()).chain([0xff]).collect();
    for (i, (&a, &b)) in original.iter().zip(&out).enumerate() {
        if matches!(a, b'\n' | b'\r') != matches!(b, b'\n' | b'\r')
            || (a != b && matches!(a, b'\n' | b'\r'))
        {
            return Err(format!("line break moved at byte {i}"));
        }
        if a != b && !mask_bytes.contains(&b) {
            return Err(format!("byte {i} changed into {b:#x}, not a mask"));
        }
    }
    match (std::str::from_utf8(original), std::str::from_utf8(&out)) {
        (Ok(_), Err(e)) => return Err(format!("masking broke UTF-8 at {}", e.valid_up_to())),
        (Err(a), Err(b)) if a.valid_up_to() != b.valid_up_to() => {
            return Err(format!(
                "the first invalid byte moved from {} to {}",
                a.valid_up_to(),
                b.valid_up_to()
            ));
        }
        _ => {}
    }
    if masked(&out) != out {
        return Err("masking twice differs from masking once".into());
    }
    for name in SECRET_ELEMENTS {
        let open = format!("<{name}>");
        for at in memchr::memmem::find_iter(&out, open.as_bytes()) {
            let value = &out[at + open.len()..];
            let end = memchr::memchr(b'<', value).unwrap_or(value.len());
            let value = &value[..end];
            let clear = std::str::from_utf8(value).map_or_else(
                |_| {
                    value
                        .iter()
                        .all(|b| mask_bytes.contains(b) || b.is_ascii_whitespace())
                },
                |v| {
                    v.chars()
                        .all(|c| c.is_whitespace() || MASKS.iter().any(|m| m.starts_with(c)))
                },
            );
            if !clear {
                return Err(format!(
                    "the value after <{name}> at byte {at} is not masked"
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(text: &str) -> String {
        mask_str(text)
    }

    #[test]
    fn values_are_masked_and_positions_kept() {
        let text = "<a><consumerSecret>s3cr\u{e9}t\n  two\r\nthree</consumerSecret><x/></a>";
        let out = m(text);
        assert_eq!(out.len(), text.len());
        assert!(!out.contains("s3cr") && !out.contains("two") && !out.contains("three"));
        assert_eq!(out.chars().count(), text.chars().count());
        let lines = |t: &str| t.match_indices('\n').map(|(i, _)| i).collect::<Vec<_>>();
        assert_eq!(lines(&out), lines(text));
        assert!(out.contains("\r\n"));
        assert!(out.ends_with("</consumerSecret><x/></a>"));
    }

    #[test]
    fn every_secret_element_with_or_without_prefix() {
        let text = "<consumerSecret>one</consumerSecret><consumerSecret>two</consumerSecret>\
             <n:password a='>'>three</n:password><oauthToken >four</oauthToken>\
             <oauthRefreshToken><![CDATA[fi<ve]]></oauthRefreshToken>";
        let out = m(text);
        for word in ["one", "two", "three", "four", "fi", "ve"] {
            assert!(!out.contains(word), "{word} in {out}");
        }
        assert_eq!(out.len(), text.len());
        assert_eq!(
            m("<a:b:password>x</a:b:password>"),
            "<a:b:password>*</a:b:password>"
        );
    }

    #[test]
    fn other_elements_and_empty_values_are_kept() {
        for text in [
            "<consumerSecretX>kept</consumerSecretX>",
            "<consumerKey>kept</consumerKey>",
            "<consumerSecret/>kept",
            "<consumerSecret></consumerSecret>kept",
            "PasswordNeverExpires kept password",
        ] {
            assert_eq!(m(text), text);
        }
        assert_eq!(m("<password>  </password>"), "<password>  </password>");
    }

    #[test]
    fn broken_xml_is_masked_too() {
        // No end tag: up to the next markup.
        assert_eq!(m("<password>abc<x>"), "<password>***<x>");
        // No end tag and nothing after: to the end.
        assert_eq!(m("<password>abc"), "<password>***");
        // A start tag that never ends.
        assert_eq!(m("<password a=\"x>abc"), "<password ********");
        // A comment inside the value.
        assert_eq!(m("<password>a<!--b-->c"), "<password>**********");
        // Not UTF-8 stays not UTF-8, with the same length.
        let bytes = masked(b"<password>a\xe2\x82b\xffc</password>");
        assert_eq!(bytes, b"<password>*\xff\xff*\xff*</password>");
    }

    #[test]
    fn invariants_hold_on_the_hard_cases() {
        for text in [
            &b"<password>a\xe2\x82b\xffc</password>"[..],
            b"<password>x<![CDATA[y]]>z</password>",
            b"<p:consumerSecret a='>'>s\r\ns</p:consumerSecret>",
            b"<oauthToken",
            b"<oauthToken>",
            b"<oauthToken/><password>\xf0\x9f\x98",
            b"<a:b:password>deep</a:b:password>",
        ] {
            check_invariants(text).unwrap();
        }
    }

    #[test]
    fn masking_is_idempotent() {
        let text = "<password>p\u{e9}\u{20ac}\u{1f600}</password>";
        let once = m(text);
        assert_eq!(m(&once), once);
        assert_eq!(once.chars().count(), text.chars().count());
    }
}
