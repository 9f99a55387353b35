//! Where a script's source map is: a map given on the command line (by URL,
//! by the map's `file` field, by the map's own name), a map in a
//! `--source-map-dir`, or the map the script itself names in its
//! `//# sourceMappingURL=` comment (a file beside it, or inline as a
//! `data:` URL).

use std::path::{Path, PathBuf};

/// The flags that say where maps are.
#[derive(Debug, Default, Clone)]
pub(crate) struct Sources {
    /// `--source-map [URL=]FILE.map`, in the order given.
    pub(crate) given: Vec<Given>,
    /// `--source-map-dir DIR`.
    pub(crate) dirs: Vec<PathBuf>,
}

/// One `--source-map`.
#[derive(Debug, Clone)]
pub(crate) struct Given {
    /// The script URL it was given for (`URL=FILE.map`).
    pub(crate) url: Option<String>,
    pub(crate) path: PathBuf,
}

impl Given {
    /// Parses `FILE.map` or `URL=FILE.map`; a `=` inside a path with no
    /// such file before it is taken as the `URL=` separator only when the
    /// whole text is not itself a file.
    pub(crate) fn parse(text: &str) -> Self {
        match text.rsplit_once('=') {
            Some((url, path)) if !url.is_empty() && !Path::new(text).exists() => Self {
                url: Some(url.to_string()),
                path: PathBuf::from(path),
            },
            _ => Self {
                url: None,
                path: PathBuf::from(text),
            },
        }
    }
}

/// Where a map was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A map file.
    File(PathBuf),
    /// An inline `data:` map of the script at this path.
    Inline(PathBuf, Vec<u8>),
}

/// The script behind a frame URL, its end read when it is a local file.
#[derive(Debug, Default)]
pub(crate) struct Script {
    /// The local path, when the URL is one.
    pub(crate) path: Option<PathBuf>,
    /// Its text where the `sourceMappingURL` comment is: the end of a
    /// readable file (`text::read_tail`), or a whole text given.
    pub(crate) text: Option<String>,
}

impl Script {
    /// Reads the end of the script of a frame URL if it is a readable local
    /// path or `file://` URL.
    pub(crate) fn read(url: &str) -> Self {
        let path = local_path(url);
        let text = path.as_deref().and_then(|p| super::text::read_tail(p).ok());
        Self { path, text }
    }

    /// The `sourceMappingURL` comment's value, the last one in the script.
    pub(crate) fn mapping_url(&self) -> Option<&str> {
        let text = self.text.as_deref()?;
        let at = ["//# sourceMappingURL=", "//@ sourceMappingURL="]
            .iter()
            .filter_map(|m| text.rfind(m).map(|i| i + m.len()))
            .max()?;
        let value = text[at..].split(char::is_whitespace).next()?;
        (!value.is_empty()).then_some(value)
    }
}

/// A frame URL's local path: a `file://` URL (percent-decoded) or an
/// absolute path; `None` for anything else (`node:`, `http:`, …).
pub(crate) fn local_path(url: &str) -> Option<PathBuf> {
    if let Some(rest) = url.strip_prefix("file://") {
        let path = rest.split(['?', '#']).next().unwrap_or(rest);
        return path
            .starts_with('/')
            .then(|| PathBuf::from(percent_decode(path)));
    }
    url.starts_with('/').then(|| PathBuf::from(url))
}

/// The last path segment of a URL or path, without query or fragment.
pub(crate) fn basename(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the search found for one script: the map's location, or why
/// there is none (a missing map named by the script), or nothing.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    Map(Location),
    Missing(String),
    None,
}

/// Finds the map of the script at `url`, in the order: `URL=FILE.map`,
/// a given map whose `file` field (else own name) is the script's,
/// `DIR/<script>.map`, then the script's `sourceMappingURL` (looked up in
/// the directories by its name, else beside the script, else inline).
pub(crate) fn find(
    url: &str,
    script: &Script,
    sources: &Sources,
    file_field: &dyn Fn(&Path) -> Option<String>,
) -> Found {
    let name = basename(url);
    if let Some(g) = sources.given.iter().find(|g| g.url.as_deref() == Some(url)) {
        return Found::Map(Location::File(g.path.clone()));
    }
    let unnamed = || sources.given.iter().filter(|g| g.url.is_none());
    if let Some(g) = unnamed().find(|g| file_field(&g.path).is_some_and(|f| basename(&f) == name)) {
        return Found::Map(Location::File(g.path.clone()));
    }
    if let Some(g) = unnamed().find(|g| {
        file_field(&g.path).is_none()
            && basename(&g.path.to_string_lossy()).strip_suffix(".map") == Some(name)
    }) {
        return Found::Map(Location::File(g.path.clone()));
    }
    if !name.is_empty() {
        if let Some(p) = in_dirs(&sources.dirs, &format!("{name}.map")) {
            return Found::Map(Location::File(p));
        }
    }
    named_by_script(script, &sources.dirs)
}

fn in_dirs(dirs: &[PathBuf], file: &str) -> Option<PathBuf> {
    dirs.iter().map(|d| d.join(file)).find(|p| p.is_file())
}

/// The map a script's `sourceMappingURL` names.
fn named_by_script(script: &Script, dirs: &[PathBuf]) -> Found {
    let (Some(value), Some(path)) = (script.mapping_url(), script.path.as_deref()) else {
        return Found::None;
    };
    if let Some(data) = value.strip_prefix("data:") {
        return match inline(data) {
            Ok(bytes) => Found::Map(Location::Inline(path.to_path_buf(), bytes)),
            Err(why) => Found::Missing(format!("its inline source map cannot be read: {why}")),
        };
    }
    if let Some(p) = in_dirs(dirs, basename(value)) {
        return Found::Map(Location::File(p));
    }
    let relative = value.strip_prefix("file://").map_or(value, |v| v);
    let beside = path
        .parent()
        .unwrap_or(Path::new(""))
        .join(percent_decode(relative));
    if beside.is_file() {
        Found::Map(Location::File(beside))
    } else {
        Found::Missing(format!(
            "it names the source map '{value}', which is not at '{}'",
            beside.display()
        ))
    }
}

/// Decodes an inline map: `application/json` with `;base64` (or plain,
/// percent-encoded text).
fn inline(data: &str) -> Result<Vec<u8>, String> {
    let (head, body) = data
        .split_once(',')
        .ok_or_else(|| "the data: URL has no ','".to_string())?;
    if head.ends_with(";base64") {
        base64_simd::STANDARD
            .decode_to_vec(body.trim_end_matches(['\r', '\n']))
            .map_err(|_| "its base64 is invalid".to_string())
    } else {
        Ok(percent_decode(body).into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_file_field(_: &Path) -> Option<String> {
        None
    }

    fn script(path: &Path, text: &str) -> Script {
        Script {
            path: Some(path.to_path_buf()),
            text: Some(text.to_string()),
        }
    }

    #[test]
    fn given_maps_match_by_url_then_file_field_then_name() {
        let sources = Sources {
            given: vec![
                Given::parse("dist/other.js.map"),
                Given::parse("file:///srv/app.js=maps/explicit.map"),
                Given::parse("maps/bundle.map"),
            ],
            dirs: Vec::new(),
        };
        let none = Script::default();
        assert_eq!(
            find("file:///srv/app.js", &none, &sources, &no_file_field),
            Found::Map(Location::File("maps/explicit.map".into()))
        );
        let file_field =
            |p: &Path| (p == Path::new("maps/bundle.map")).then(|| "vendor.js".to_string());
        assert_eq!(
            find("file:///srv/vendor.js", &none, &sources, &file_field),
            Found::Map(Location::File("maps/bundle.map".into()))
        );
        assert_eq!(
            find("/srv/dist/other.js", &none, &sources, &file_field),
            Found::Map(Location::File("dist/other.js.map".into()))
        );
        assert_eq!(
            find("/srv/bundle", &none, &sources, &file_field),
            Found::None,
            "a map with a `file` is matched by it only"
        );
        assert_eq!(find("node:fs", &none, &sources, &file_field), Found::None);
    }

    #[test]
    fn discovery_follows_a_relative_source_mapping_url() {
        let dir = tempfile::tempdir().expect("temp dir");
        let js = dir.path().join("app.min.js");
        std::fs::create_dir(dir.path().join("maps")).expect("mkdir");
        std::fs::write(dir.path().join("maps/app.min.js.map"), "{}").expect("write");
        std::fs::write(&js, "x()\n//# sourceMappingURL=maps/app.min.js.map\n").expect("write");
        let url = format!("file://{}", js.display());
        let s = Script::read(&url);
        assert_eq!(
            find(&url, &s, &Sources::default(), &no_file_field),
            Found::Map(Location::File(dir.path().join("maps/app.min.js.map")))
        );
        std::fs::remove_file(dir.path().join("maps/app.min.js.map")).expect("rm");
        match find(&url, &s, &Sources::default(), &no_file_field) {
            Found::Missing(why) => assert!(why.contains("'maps/app.min.js.map'"), "{why}"),
            other => panic!("expected a missing map, got {other:?}"),
        }
    }

    #[test]
    fn discovery_decodes_an_inline_map() {
        let path = Path::new("/srv/app.js");
        let s = script(
            path,
            "f()\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,eyJ2ZXJzaW9uIjozfQ==\n",
        );
        assert_eq!(
            find("/srv/app.js", &s, &Sources::default(), &no_file_field),
            Found::Map(Location::Inline(
                path.to_path_buf(),
                br#"{"version":3}"#.to_vec()
            ))
        );
        let bad = script(
            path,
            "//# sourceMappingURL=data:application/json;base64,@@@\n",
        );
        assert!(matches!(
            find("/srv/app.js", &bad, &Sources::default(), &no_file_field),
            Found::Missing(_)
        ));
    }

    #[test]
    fn directories_are_searched_by_script_name_and_by_mapping_url() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("app.js.map"), "{}").expect("write");
        std::fs::write(dir.path().join("hashed.map"), "{}").expect("write");
        let sources = Sources {
            given: Vec::new(),
            dirs: vec![dir.path().to_path_buf()],
        };
        assert_eq!(
            find(
                "http://host/static/app.js?v=3",
                &Script::default(),
                &sources,
                &no_file_field
            ),
            Found::Map(Location::File(dir.path().join("app.js.map")))
        );
        let s = script(
            Path::new("/elsewhere/main.js"),
            "//# sourceMappingURL=hashed.map",
        );
        assert_eq!(
            find("/elsewhere/main.js", &s, &sources, &no_file_field),
            Found::Map(Location::File(dir.path().join("hashed.map")))
        );
    }

    #[test]
    fn local_paths_of_frame_urls() {
        assert_eq!(
            local_path("file:///a%20b/c.js"),
            Some(PathBuf::from("/a b/c.js"))
        );
        assert_eq!(
            local_path("/srv/app.js"),
            Some(PathBuf::from("/srv/app.js"))
        );
        assert_eq!(local_path("node:internal/fs"), None);
        assert_eq!(local_path("https://x/y.js"), None);
        assert_eq!(basename("https://x/y.js?v=1#h"), "y.js");
    }
}
