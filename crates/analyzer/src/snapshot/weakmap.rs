//! WeakMap ephemeron edge names (formats §5.5):
//! `<n> / part of key (<K> @<keyId>) -> value (<V> @<valueId>) pair in WeakMap (table @<tableId>)`.

/// If `name` is a WeakMap pair edge name, returns the duplicated part (the
/// name without the leading `<n>`) and the table id.
pub(crate) fn parse(name: &str) -> Option<(&str, u32)> {
    const MARK: &str = " / part of key (";
    let digits = name.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || !name[digits..].starts_with(MARK) {
        return None;
    }
    let rest = &name[digits..];
    let tail = rest.strip_suffix(')')?;
    let at = tail.rfind(" pair in WeakMap (table @")?;
    let id_text = &tail[at + " pair in WeakMap (table @".len()..];
    if id_text.is_empty() || !id_text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The middle must hold "@<keyId>) -> value (… @<valueId>)".
    let middle = &tail[MARK.len()..at];
    let arrow = middle.find(") -> value (")?;
    if !ends_with_id(&middle[..arrow])
        || !ends_with_id(middle[arrow + ") -> value (".len()..].strip_suffix(')')?)
    {
        return None;
    }
    Some((rest, id_text.parse().ok()?))
}

fn ends_with_id(s: &str) -> bool {
    match s.rfind(" @") {
        Some(i) => {
            let id = &s[i + 2..];
            !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn recognises_pair_edges() {
        let name = "3 / part of key (Object @123) -> value (Foo @456) pair in WeakMap (table @789)";
        assert_eq!(
            parse(name),
            Some((
                " / part of key (Object @123) -> value (Foo @456) pair in WeakMap (table @789)",
                789
            ))
        );
        assert_eq!(parse("elements"), None);
        assert_eq!(
            parse("3 / part of key (x @1) -> value (y @2) pair in WeakMap (table @)"),
            None
        );
    }
}
