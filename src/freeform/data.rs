//! Free-form data (`--data`): YAML and JSON files read into one `data` tree for templates.
//!
//! Each file is parsed with the manifests' strict rules and limits ([`crate::load::yaml`]; JSON is read
//! by the same parser, as the YAML 1.2 it is), into a tree that remembers where every value and
//! every key was written. Those positions are what schema errors ([`crate::freeform::schema_check`]) and
//! the figure lint ([`crate::freeform::lint`]) point at. Maps keep the order they were written in.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_saphyr::Spanned;

use crate::error::Diagnostic;
use crate::load::manifest::{io_reason, read_text};
use crate::load::yaml;

/// File endings read as data; anything else in a data folder is pointed out and not read.
pub(crate) const DATA_EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// One value of the data tree. Maps keep their keys in the order written.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
}

impl Value {
    /// The value as `serde_json` holds it (for schema validation); key order is not kept there.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::UInt(u) => J::from(*u),
            // Non-finite floats never get into the tree (see `convert`).
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::Str(s) => J::String(s.clone()),
            Value::List(l) => J::Array(l.iter().map(Value::to_json).collect()),
            Value::Map(m) => J::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }

    /// The entry `key` of a map.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value at a JSON pointer (`/services/0/name`).
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut at = self;
        for token in pointer.strip_prefix('/')?.split('/') {
            let token = token.replace("~1", "/").replace("~0", "~");
            at = match at {
                Value::Map(_) => at.get(&token)?,
                Value::List(l) => l.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(at)
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::UInt(u) => s.serialize_u64(*u),
            Value::Float(f) => s.serialize_f64(*f),
            Value::Str(t) => s.serialize_str(t),
            Value::List(l) => {
                let mut seq = s.serialize_seq(Some(l.len()))?;
                for v in l {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Map(m) => {
                let mut map = s.serialize_map(Some(m.len()))?;
                for (k, v) in m {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Where one value of the tree was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Index into [`Data::files`].
    pub file: usize,
    /// Line and column of the value.
    pub value: (u64, u64),
    /// Line and column of its key, when it is the value of a map entry.
    pub key: Option<(u64, u64)>,
}

/// Everything `--data` read.
#[derive(Debug, Clone, Default)]
pub struct Data {
    /// The tree templates see as `data`: a map of the `--data` arguments' entries.
    pub tree: Value,
    /// The files read, in the order read.
    pub files: Vec<PathBuf>,
    /// Where each value was written, by JSON pointer into `tree` (`/services/0/name`). A file's
    /// own root value (a whole file) is at the pointer of its entry.
    pub positions: BTreeMap<String, Position>,
    /// Non-fatal problems (files in a data folder that are not data).
    pub warnings: Vec<Diagnostic>,
    /// The `--data` paths as given.
    pub roots: Vec<PathBuf>,
}

impl Default for Value {
    fn default() -> Self {
        Value::Map(Vec::new())
    }
}

impl Data {
    /// The file and position of the value at `pointer`, or of its nearest ancestor that has
    /// one (a whole file has no position of its own: its first line).
    pub fn locate(&self, pointer: &str) -> Option<(&Path, Position)> {
        let mut p = pointer;
        loop {
            if let Some(pos) = self.positions.get(p) {
                return Some((self.files[pos.file].as_path(), *pos));
            }
            p = &p[..p.rfind('/')?];
        }
    }
}

/// Reads the `--data` paths into one tree. One path is the tree: a file's content as it is, or
/// a folder's map (an entry per file, by stem, and per subfolder, by name, in sorted order).
/// Several paths are merged into one map: each must be a folder or a file holding a map, and a
/// name may come from only one of them.
///
/// # Errors
/// Every problem of every file (unreadable, invalid YAML or JSON, two entries of one name).
pub(crate) fn load(paths: &[PathBuf]) -> Result<Data, Vec<Diagnostic>> {
    let mut data = Data { roots: paths.to_vec(), ..Data::default() };
    let mut errors = Vec::new();
    // Which file or folder defined each entry, by pointer, for "defined twice" errors.
    let mut origin: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut root = Vec::new();
    let mut single = None;
    for path in paths {
        match fs::metadata(path) {
            Err(e) => errors.push(Diagnostic::error(
                path,
                None,
                format!("cannot read: {}; expected a YAML or JSON file, or a folder of them", io_reason(&e)),
            )),
            Ok(m) if m.is_dir() => {
                read_folder(path, "", &mut root, &mut origin, &mut data, &mut errors);
            }
            Ok(_) => match read_file(path, "", data.files.len()) {
                Err(mut d) => errors.append(&mut d),
                Ok((value, positions)) => {
                    data.files.push(path.clone());
                    data.positions.extend(positions);
                    match value {
                        v if paths.len() == 1 => single = Some(v),
                        Value::Map(entries) => {
                            for (name, v) in entries {
                                let pointer = format!("/{}", escape_token(&name));
                                if let Some(first) = origin.get(&pointer) {
                                    errors.push(twice(path, &name, first));
                                    continue;
                                }
                                origin.insert(pointer, path.clone());
                                root.push((name, v));
                            }
                        }
                        _ => errors.push(Diagnostic::error(
                            path,
                            None,
                            "the file holds no map, so it cannot be merged with the other --data paths: expected a map, or this file on its own, or in a folder (where it is the entry named by its stem)",
                        )),
                    }
                }
            },
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    data.tree = single.unwrap_or(Value::Map(root));
    Ok(data)
}

/// Adds the entries of folder `dir` to `entries` (the map at `pointer`).
fn read_folder(
    dir: &Path,
    pointer: &str,
    entries: &mut Vec<(String, Value)>,
    origin: &mut BTreeMap<String, PathBuf>,
    data: &mut Data,
    errors: &mut Vec<Diagnostic>,
) {
    let listing = match fs::read_dir(dir) {
        Ok(l) => l,
        Err(e) => {
            errors.push(Diagnostic::error(dir, None, format!("cannot read the folder: {}", io_reason(&e))));
            return;
        }
    };
    let mut children: Vec<(PathBuf, fs::FileType)> =
        listing.flatten().filter_map(|e| Some((e.path(), e.file_type().ok()?))).collect();
    children.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, ft) in children {
        let hidden = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'));
        if hidden {
            continue;
        }
        // Symlinked folders are not followed (no loops), as for manifests.
        if ft.is_dir() {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let key_pointer = format!("{pointer}/{}", escape_token(&name));
            if let Some(first) = origin.get(&key_pointer) {
                errors.push(twice(&path, &name, first));
                continue;
            }
            origin.insert(key_pointer.clone(), path.clone());
            let mut sub = Vec::new();
            read_folder(&path, &key_pointer, &mut sub, origin, data, errors);
            entries.push((name, Value::Map(sub)));
        } else if let Some(why) = ft.is_symlink().then(|| unusable_link(&path)).flatten() {
            data.warnings.push(Diagnostic::warning(&path, None, why));
        } else if is_data(&path) {
            let regular = ft.is_file() || (ft.is_symlink() && path.is_file());
            if regular {
                add_file(&path, &stem(&path), pointer, entries, origin, data, errors);
            } else if !ft.is_symlink() {
                errors.push(Diagnostic::error(&path, None, "expected a regular file"));
            }
        } else if ft.is_file() || ft.is_symlink() {
            data.warnings.push(Diagnostic::warning(
                &path,
                None,
                "not read: data files end in .yaml, .yml or .json",
            ));
        }
    }
}

/// Why a symlink of a data folder is not read, naming what it points to; `None` when it points
/// to a regular file (read like one).
fn unusable_link(link: &Path) -> Option<String> {
    let target = fs::read_link(link).map(|t| t.display().to_string()).unwrap_or_default();
    let target = crate::error::printable(&target).into_owned();
    match fs::metadata(link) {
        Ok(m) if m.is_file() => None,
        Ok(m) if m.is_dir() => Some(format!(
            "a symlink to the folder `{target}`: not followed (symlinked folders never are, so no loops)"
        )),
        Ok(_) => {
            Some(format!("a symlink to `{target}`, not a regular file (a device, FIFO or socket): not read"))
        }
        Err(e) if e.raw_os_error() == Some(40) => {
            Some(format!("a symlink loop (through `{target}`): not read"))
        }
        Err(e) => {
            Some(format!("a symlink to `{target}`, which cannot be read ({}): not read", io_reason(&e)))
        }
    }
}

/// Parses `file` and adds it to `entries` as `name`.
fn add_file(
    file: &Path,
    name: &str,
    parent: &str,
    entries: &mut Vec<(String, Value)>,
    origin: &mut BTreeMap<String, PathBuf>,
    data: &mut Data,
    errors: &mut Vec<Diagnostic>,
) {
    let pointer = format!("{parent}/{}", escape_token(name));
    if let Some(first) = origin.get(&pointer) {
        errors.push(twice(file, name, first));
        return;
    }
    origin.insert(pointer.clone(), file.to_path_buf());
    let index = data.files.len();
    match read_file(file, &pointer, index) {
        Ok((value, positions)) => {
            data.files.push(file.to_path_buf());
            data.positions.extend(positions);
            entries.push((name.to_string(), value));
        }
        Err(mut d) => errors.append(&mut d),
    }
}

/// Reads one YAML or JSON file into a value whose positions are recorded under `pointer`, as
/// file number `index`.
///
/// # Errors
/// The file cannot be read, is not valid YAML or JSON, or holds what JSON cannot (`.inf`).
pub(crate) fn read_file(
    file: &Path,
    pointer: &str,
    index: usize,
) -> Result<(Value, BTreeMap<String, Position>), Vec<Diagnostic>> {
    let text = read_text(file).map_err(|d| vec![d])?;
    let node = parse(&text).map_err(|e| vec![e.at(file)])?;
    let mut positions = BTreeMap::new();
    let mut problems = Vec::new();
    let value = convert(
        node,
        pointer,
        None,
        index,
        &mut Ctx { positions: &mut positions, problems: &mut problems, text: &text },
    );
    if problems.is_empty() {
        Ok((value, positions))
    } else {
        Err(problems.into_iter().map(|(pos, msg)| Diagnostic::error(file, Some(pos), msg)).collect())
    }
}

fn twice(path: &Path, name: &str, first: &Path) -> Diagnostic {
    Diagnostic::error(
        path,
        None,
        format!(
            "`{name}` is defined twice: here and by `{}`; expected one file or folder per name",
            first.display()
        ),
    )
}

/// Parses one YAML or JSON document into a tree with positions.
pub(crate) fn parse(text: &str) -> Result<Node, yaml::YamlError> {
    yaml::parse::<Node>(text, &[])
}

/// The file's name without its extension (`services.yaml` → `services`).
fn stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

fn is_data(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| DATA_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// One JSON pointer token (RFC 6901: `~` and `/` escaped).
pub(crate) fn escape_token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer as a template would reach the value: `/services/0/name` → `services[0].name`.
pub(crate) fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for token in pointer.split('/').skip(1) {
        let token = token.replace("~1", "/").replace("~0", "~");
        if token.parse::<usize>().is_ok() {
            out.push_str(&format!("[{token}]"));
        } else if !token.is_empty() && token.chars().all(|c| c.is_alphanumeric() || c == '_') {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&token);
        } else {
            out.push_str(&format!("[{token:?}]"));
        }
    }
    out
}

/// How a place in the data is named in messages, as a template reaches it:
/// `` `data.services[0].cost` ``.
pub(crate) fn shown(pointer: &str) -> String {
    let d = dotted(pointer);
    if d.is_empty() {
        "`data`".to_string()
    } else if d.starts_with('[') {
        format!("`data{d}`")
    } else {
        format!("`data.{d}`")
    }
}

// ---------------------------------------------------------------------------------------------
// The parsed tree with spans, as the YAML parser gives it.

/// A value with where it was written.
pub(crate) type Node = Spanned<Raw>;

/// A parsed value whose children carry their positions.
#[derive(Debug)]
pub(crate) enum Raw {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    List(Vec<Node>),
    Map(Vec<(Spanned<Key>, Node)>),
}

/// A map key: text, or a whole number read as text (`2024: …`).
#[derive(Debug)]
pub(crate) struct Key(String);

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Raw;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a YAML or JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Raw, D2::Error> {
                Raw::deserialize(d)
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Raw, E> {
                Ok(Raw::Bool(b))
            }
            fn visit_i64<E: de::Error>(self, i: i64) -> Result<Raw, E> {
                Ok(Raw::Int(i))
            }
            fn visit_u64<E: de::Error>(self, u: u64) -> Result<Raw, E> {
                // One representation per number: `Int` whenever it fits.
                Ok(i64::try_from(u).map_or(Raw::UInt(u), Raw::Int))
            }
            fn visit_i128<E: de::Error>(self, i: i128) -> Result<Raw, E> {
                match (i64::try_from(i), u64::try_from(i)) {
                    (Ok(i), _) => Ok(Raw::Int(i)),
                    (_, Ok(u)) => Ok(Raw::UInt(u)),
                    _ => Err(E::custom(format!(
                        "the whole number {i} is too large: expected at most 18446744073709551615"
                    ))),
                }
            }
            fn visit_u128<E: de::Error>(self, u: u128) -> Result<Raw, E> {
                self.visit_i128(i128::try_from(u).unwrap_or(i128::MAX))
            }
            fn visit_f64<E: de::Error>(self, f: f64) -> Result<Raw, E> {
                Ok(Raw::Float(f))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Raw, E> {
                Ok(Raw::Str(s.to_string()))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Raw, E> {
                Ok(Raw::Str(s))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element::<Node>()? {
                    out.push(v);
                }
                Ok(Raw::List(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<Spanned<Key>>()? {
                    let v = map.next_value::<Node>()?;
                    out.push((k, v));
                }
                Ok(Raw::Map(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a text or whole-number key")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key, E> {
                Ok(Key(s.to_string()))
            }
            fn visit_i64<E: de::Error>(self, i: i64) -> Result<Key, E> {
                Ok(Key(i.to_string()))
            }
            fn visit_u64<E: de::Error>(self, u: u64) -> Result<Key, E> {
                Ok(Key(u.to_string()))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Key, E> {
                Err(E::custom(format!("the key `{b}` is a boolean: expected a text key (quote it)")))
            }
            fn visit_f64<E: de::Error>(self, f: f64) -> Result<Key, E> {
                Err(E::custom(format!("the key `{f}` is a decimal number: expected a text key (quote it)")))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
                Err(E::custom("the key is null: expected a text key"))
            }
        }
        d.deserialize_any(V)
    }
}

fn pos<T>(s: &Spanned<T>) -> (u64, u64) {
    (s.referenced.line(), s.referenced.column())
}

/// What [`convert`] records into, and the text it reads from.
struct Ctx<'a> {
    positions: &'a mut BTreeMap<String, Position>,
    problems: &'a mut Vec<((u64, u64), String)>,
    text: &'a str,
}

/// The token written at `at` (line, column; 1-based) of `text`, if it is a whole number
/// (digits, an optional sign, `_` separators): the parser hands one beyond 64 bits over as a
/// float, whose digits past the 17th are invented.
fn whole_number_at(text: &str, at: (u64, u64)) -> Option<&str> {
    let line = text.lines().nth(usize::try_from(at.0).ok()?.checked_sub(1)?)?;
    let start = line.char_indices().nth(usize::try_from(at.1).ok()?.checked_sub(1)?)?.0;
    let rest = &line[start..];
    let end =
        rest.find(|c: char| !(c.is_ascii_digit() || c == '_' || c == '+' || c == '-')).unwrap_or(rest.len());
    let token = &rest[..end];
    let digits = token.trim_start_matches(['+', '-']);
    let next = rest[end..].chars().next();
    (!digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_')
        && !matches!(next, Some('.' | 'e' | 'E')))
    .then_some(token)
}

/// Turns the spanned tree into a [`Value`], recording each value's position under its pointer.
/// Problems JSON cannot represent (non-finite numbers, a key written twice, whole numbers
/// beyond 64 bits) are collected.
fn convert(node: Node, pointer: &str, key: Option<(u64, u64)>, file: usize, cx: &mut Ctx<'_>) -> Value {
    let at = pos(&node);
    // A whole file has no position of its own worth pointing at: its first line stands for it.
    let at = if at.0 == 0 { (1, 1) } else { at };
    cx.positions.insert(pointer.to_string(), Position { file, value: at, key });
    let problems = &mut *cx.problems;
    match node.value {
        Raw::Null => Value::Null,
        Raw::Bool(b) => Value::Bool(b),
        Raw::Int(i) => Value::Int(i),
        Raw::UInt(u) => Value::UInt(u),
        Raw::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() >= 9.2e18 => {
            match whole_number_at(cx.text, at) {
                Some(token) => {
                    let shown: String = token.chars().take(40).collect();
                    let more = if token.len() > 40 { "…" } else { "" };
                    problems.push((
                        at,
                        format!(
                            "the whole number `{shown}{more}` ({} digits) is beyond 64 bits: it would be read as an approximation; expected -9223372036854775808 to 18446744073709551615, or write it as text (\"…\") to keep every digit",
                            token.bytes().filter(u8::is_ascii_digit).count()
                        ),
                    ));
                    Value::Null
                }
                None => Value::Float(f),
            }
        }
        Raw::Float(f) if f.is_finite() => Value::Float(f),
        Raw::Float(f) => {
            problems.push((at, format!("`{f}` is not a finite number: expected a number JSON can hold")));
            Value::Null
        }
        Raw::Str(s) => Value::Str(s),
        Raw::List(items) => Value::List(
            items
                .into_iter()
                .enumerate()
                .map(|(i, n)| convert(n, &format!("{pointer}/{i}"), None, file, cx))
                .collect(),
        ),
        Raw::Map(entries) => {
            let mut out: Vec<(String, Value)> = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                let key_at = pos(&k);
                let name = k.value.0;
                // `1:` and `"1":` are one key once read as text.
                if out.iter().any(|(existing, _)| *existing == name) {
                    cx.problems.push((key_at, format!("duplicate key `{name}`: each key may appear once")));
                    continue;
                }
                let child = format!("{pointer}/{}", escape_token(&name));
                let key_at = (key_at.0 != 0).then_some(key_at);
                let value = convert(v, &child, key_at, file, cx);
                out.push((name, value));
            }
            Value::Map(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(text: &str) -> (Value, BTreeMap<String, Position>) {
        let node = parse(text).unwrap();
        let mut positions = BTreeMap::new();
        let mut problems = Vec::new();
        let v =
            convert(node, "", None, 0, &mut Ctx { positions: &mut positions, problems: &mut problems, text });
        assert!(problems.is_empty(), "{problems:?}");
        (v, positions)
    }

    #[test]
    fn yaml_values_keep_their_positions_and_order() {
        let (v, p) = tree("zeta: 1\nalpha:\n  - name: a\n    cost: 0.1\n  - name: b\n");
        let Value::Map(m) = &v else { panic!("{v:?}") };
        assert_eq!(m.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["zeta", "alpha"]);
        assert_eq!(p["/zeta"].value, (1, 7));
        assert_eq!(p["/zeta"].key, Some((1, 1)));
        assert_eq!(p["/alpha/0/cost"].value, (4, 11));
        assert_eq!(p["/alpha/0/cost"].key, Some((4, 5)));
        assert_eq!(p["/alpha/1/name"].key, Some((5, 5)));
        assert_eq!(v.pointer("/alpha/0/cost"), Some(&Value::Float(0.1)));
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"zeta":1,"alpha":[{"name":"a","cost":0.1},{"name":"b"}]}"#
        );
    }

    #[test]
    fn json_is_read_by_the_same_parser_with_positions() {
        let text = "{\n\t\"services\": [\n\t\t{\"name\": \"api\", \"done\": true, \"cost\": 1e3}\n\t],\n\t\"note\": \"a\\/b \\u00e9\"\n}\n";
        let (v, p) = tree(text);
        assert_eq!(v.pointer("/services/0/done"), Some(&Value::Bool(true)));
        assert_eq!(v.pointer("/services/0/cost"), Some(&Value::Float(1000.0)));
        assert_eq!(v.pointer("/note"), Some(&Value::Str("a/b é".into())));
        assert_eq!(p["/services/0/name"].key, Some((3, 4)));
        assert_eq!(p["/services/0/done"].value.0, 3);
    }

    #[test]
    fn strict_rules_apply() {
        assert!(parse("a: 1\na: 2\n").unwrap_err().message.starts_with("duplicate key `a`"));
        assert!(parse("{\"a\": 1, \"a\": 2}").unwrap_err().message.starts_with("duplicate key `a`"));
        assert!(parse("x: !foo 1\n").unwrap_err().message.contains("unsupported tag"));
        let e = parse("true: 1\n").unwrap_err();
        assert!(e.message.contains("expected a text key"), "{}", e.message);
        assert_eq!(parse("x: yes\n").map(|n| matches!(n.value, Raw::Map(_))).ok(), Some(true));
        let e = parse("x: .inf\n").unwrap_err();
        assert!(e.message.contains("non-finite float `.inf`"), "{}", e.message);
        assert_eq!((e.line, e.column), (Some(1), Some(4)));
    }

    #[test]
    fn whole_number_keys_are_text() {
        let (v, _) = tree("2024: {q1: 3}\n");
        assert_eq!(v.pointer("/2024/q1"), Some(&Value::Int(3)));
    }

    #[test]
    fn pointers_read_as_template_paths() {
        assert_eq!(dotted("/services/0/name"), "services[0].name");
        assert_eq!(dotted("/a b/x~1y"), "[\"a b\"][\"x/y\"]");
        assert_eq!(dotted(""), "");
    }
}
