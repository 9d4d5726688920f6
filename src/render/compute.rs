//! Template filters that compute figures from data: sums, means, extremes, counts, shares,
//! grouping and filtering. Formatting stays with the filters of [`super::filters`] (`money`,
//! `percent`, `ratio`, …): `{{ findings | sum(attribute="cost") | money }}`.
//!
//! Sums are exact: every number is read as the decimal it was written as (`0.1` is one tenth,
//! not the nearest binary fraction) and added as an integer of its smallest unit, so
//! `[0.1, 0.2] | sum` is `0.3` and money never drifts. Division by zero (a share of nothing, the
//! mean of no items) is `null`, which the formatting filters show as "—", as in the test model.

use tera::value::Key;
use tera::{Kwargs, Map, Number, State, Tera, TeraResult, Value};

/// Registers the computing filters on `tera` (after Tera's built-ins, whose `group_by` it
/// replaces with one that keeps the order in which groups first appear).
pub fn register(tera: &mut Tera) {
    tera.register_filter("sum", sum);
    tera.register_filter("mean", mean);
    tera.register_filter("min", |v: &[Value], kw: Kwargs, _: &State| {
        extreme(v, &kw, std::cmp::Ordering::Less)
    });
    tera.register_filter("max", |v: &[Value], kw: Kwargs, _: &State| {
        extreme(v, &kw, std::cmp::Ordering::Greater)
    });
    tera.register_filter("count", count);
    tera.register_filter("percent_of", percent_of);
    tera.register_filter("divide", divide);
    tera.register_filter("filter", filter);
    tera.register_filter("map", map);
    tera.register_filter("group_by", group_by);
    tera.register_filter("group_sum", group_sum);
}

/// Every computing filter with an example and its output, in the order docs/templates.md lists
/// them. `tests/it/templating.rs` renders each example and checks the output, and checks that the
/// docs/templates.md's table is this one.
pub const REFERENCE: &[(&str, &str, &str, &str)] = &[
    (
        "sum",
        "exact sum of numbers; `attribute` sums a key of each map",
        "{{ [0.1, 0.2] | sum }} · {{ items | sum(attribute=\"cost\") }}",
        "0.3 · 1250.5",
    ),
    (
        "mean",
        "arithmetic mean; `null` for no items",
        "{{ [1, 2, 3, 4] | mean }} · {{ [] | mean | percent }}",
        "2.5 · —",
    ),
    ("min", "smallest number (or text); `null` for no items", "{{ items | min(attribute=\"cost\") }}", "0.5"),
    ("max", "largest number (or text); `null` for no items", "{{ items | max(attribute=\"cost\") }}", "1000"),
    (
        "count",
        "items; with `attribute`, those where it is true, or equals `value`; with `value` alone, the items equal to it",
        "{{ items | count(attribute=\"team\", value=\"web\") }} · {{ [1, 2, 1] | count(value=1) }}",
        "2 · 2",
    ),
    (
        "percent_of",
        "value ÷ `total` × 100; `null` when `total` is 0",
        "{{ 2 | percent_of(total=3) | percent }} · {{ 2 | percent_of(total=0) | percent }}",
        "67% · —",
    ),
    ("divide", "value ÷ `by`; `null` when `by` is 0", "{{ 3100000 | divide(by=500000) | ratio }}", "6.2×"),
    (
        "filter",
        "the maps whose `attribute` equals `value` (without `value`: is not null)",
        "{{ items | filter(attribute=\"team\", value=\"web\") | map(attribute=\"name\") | join(sep=\", \") }}",
        "a, c",
    ),
    ("map", "the `attribute` of each map", "{{ items | map(attribute=\"cost\") | sum }}", "1250.5"),
    (
        "group_by",
        "maps grouped by `attribute`, groups in the order they first appear",
        "{% for team, g in items | group_by(attribute=\"team\") %}{{ team }}={{ g | length }} {% endfor %}",
        "web=2 db=1 ",
    ),
    (
        "group_sum",
        "one row per value of `by`: `{key, count, sum}` (`sum` of `attribute`, else null)",
        "{% for r in items | group_sum(by=\"team\", attribute=\"cost\") %}{{ r.key }}: {{ r.count }}, {{ r.sum }}; {% endfor %}",
        "web: 2, 1000.5; db: 1, 250; ",
    ),
];

/// The data the [`REFERENCE`] examples run on: `items`, three maps with `name`, `team`, `cost`.
pub const REFERENCE_DATA: &str = r#"{"items": [{"name": "a", "team": "web", "cost": 1000}, {"name": "b", "team": "db", "cost": 250}, {"name": "c", "team": "web", "cost": 0.5}]}"#;

// ---------------------------------------------------------------------------------------------
// Exact decimals

/// Most decimal places a number may have in exact arithmetic (far beyond money's needs).
const MAX_SCALE: u32 = 18;

/// An exact decimal number: `mantissa × 10^-scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

impl Decimal {
    /// Reads a number as written: an integer as is, a float as the shortest decimal that reads
    /// back as the same float (what was typed in the data: `0.1`, `1234.56`).
    ///
    /// # Errors
    /// Not finite, or beyond exact arithmetic (more than 18 decimal places, or near 10^38).
    pub fn from_number(n: Number) -> Result<Decimal, String> {
        match n {
            Number::Integer(i) => Ok(Decimal { mantissa: i, scale: 0 }),
            Number::Float(f) if f.is_finite() => {
                // `Display` for f64 is the shortest round-trip form, never with an exponent.
                Decimal::parse(&format!("{f}")).ok_or_else(|| {
                    format!("{f} is beyond exact arithmetic: expected at most {MAX_SCALE} decimal places and 30 digits")
                })
            }
            Number::Float(f) => Err(format!("{f} is not a finite number")),
            other => Decimal::parse(&other.to_string())
                .ok_or_else(|| format!("{other} is not a number gen-report can add")),
        }
    }

    /// Parses `-123.4500`.
    pub fn parse(s: &str) -> Option<Decimal> {
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let frac = frac.trim_end_matches('0');
        let scale = u32::try_from(frac.len()).ok().filter(|s| *s <= MAX_SCALE)?;
        let mut mantissa: i128 = 0;
        for b in whole.bytes().chain(frac.bytes()) {
            mantissa = mantissa.checked_mul(10)?.checked_add(i128::from(b - b'0'))?;
        }
        Some(Decimal { mantissa: if negative { -mantissa } else { mantissa }, scale })
    }

    /// `self + other`, exactly; `None` on overflow.
    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale.max(other.scale);
        let a = self.mantissa.checked_mul(10i128.checked_pow(scale - self.scale)?)?;
        let b = other.mantissa.checked_mul(10i128.checked_pow(scale - other.scale)?)?;
        Some(Decimal { mantissa: a.checked_add(b)?, scale }.normalized())
    }

    /// `self / n` (n > 0): exact when the quotient ends within 18 more decimal places, else
    /// rounded half away from zero at the last of them (a float holds 17 digits at most).
    pub fn div_int(self, n: i128) -> Decimal {
        let (mut m, mut scale) = (self.mantissa, self.scale);
        while m % n != 0 && scale < self.scale + 18 {
            match m.checked_mul(10) {
                Some(x) => {
                    m = x;
                    scale += 1;
                }
                None => break,
            }
        }
        let (q, r) = (m / n, m % n);
        let q = if r.unsigned_abs() * 2 >= n.unsigned_abs() { q + m.signum() } else { q };
        Decimal { mantissa: q, scale }.normalized()
    }

    fn normalized(mut self) -> Decimal {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }

    /// The nearest float (exact for what people write: it prints back as this decimal).
    pub fn to_f64(self) -> f64 {
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    pub fn is_zero(self) -> bool {
        self.mantissa == 0
    }

    /// A template value: a whole number stays an integer (`3`, not `3.0`).
    pub fn to_value(self) -> Value {
        let d = self.normalized();
        if d.scale == 0 {
            match i64::try_from(d.mantissa) {
                Ok(i) => Value::from(i),
                Err(_) => Value::from(d.mantissa),
            }
        } else {
            Value::from(d.to_f64())
        }
    }
}

impl std::fmt::Display for Decimal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let digits = self.mantissa.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, frac) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{frac}")
    }
}

// ---------------------------------------------------------------------------------------------
// Filters

/// The items a filter works on: the list itself, or each map's `attribute` (a dotted path).
fn operands<'a>(items: &'a [Value], kw: &'a Kwargs) -> TeraResult<Vec<(usize, &'a Value)>> {
    let attribute = kw.get::<&str>("attribute")?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match attribute {
            None => Ok((i, item)),
            Some(path) => {
                item.get_from_path(path).filter(|v| !v.is_undefined()).map(|v| (i, v)).ok_or_else(|| {
                    tera::Error::message(format!(
                        "item {i} (a {}) has no `{path}`: expected every item to have it",
                        item.name()
                    ))
                })
            }
        })
        .collect()
}

/// The number `v` at `i`, exactly.
fn decimal(i: usize, v: &Value, what: Option<&str>) -> TeraResult<Decimal> {
    let label = match what {
        Some(path) => format!("item {i}'s `{path}`"),
        None => format!("item {i}"),
    };
    let n = v
        .as_number()
        .ok_or_else(|| tera::Error::message(format!("{label} is {}: expected a number", describe(v))))?;
    Decimal::from_number(n).map_err(|e| tera::Error::message(format!("{label}: {e}")))
}

/// `a string "12k"`, `null`, `a map`: what a value is, for messages.
fn describe(v: &Value) -> String {
    match v.as_str() {
        Some(s) => format!("the text {s:?}"),
        None if v.is_none() => "null".into(),
        None => format!("a {}", v.name()),
    }
}

fn exact_sum(items: &[Value], kw: &Kwargs) -> TeraResult<Decimal> {
    let what = kw.get::<&str>("attribute")?;
    let mut total = Decimal { mantissa: 0, scale: 0 };
    for (i, v) in operands(items, kw)? {
        total = total
            .checked_add(decimal(i, v, what)?)
            .ok_or_else(|| tera::Error::message("the sum is too large for exact arithmetic"))?;
    }
    Ok(total)
}

fn sum(items: &[Value], kw: Kwargs, _: &State) -> TeraResult<Value> {
    Ok(exact_sum(items, &kw)?.to_value())
}

fn mean(items: &[Value], kw: Kwargs, _: &State) -> TeraResult<Value> {
    if items.is_empty() {
        return Ok(Value::none());
    }
    // The exact sum divided exactly: `[0.1, 0.2, 0.3] | mean` is 0.2, as `sum` is 0.6.
    let total = exact_sum(items, &kw)?;
    Ok(total.div_int(items.len() as i128).to_value())
}

/// `min` or `max`: of numbers, or of texts (dates as `YYYY-MM-DD` compare as text).
fn extreme(items: &[Value], kw: &Kwargs, want: std::cmp::Ordering) -> TeraResult<Value> {
    let what = kw.get::<&str>("attribute")?;
    let ops = operands(items, kw)?;
    let Some(&(_, first)) = ops.first() else { return Ok(Value::none()) };
    let texts = first.as_str().is_some();
    let mut best: Option<(&Value, Option<Decimal>)> = None;
    for (i, v) in ops {
        let key = if texts {
            if v.as_str().is_none() {
                return Err(tera::Error::message(format!(
                    "item {i} is {}: expected text, like the first item",
                    describe(v)
                )));
            }
            None
        } else {
            Some(decimal(i, v, what)?)
        };
        let better = match &best {
            None => true,
            Some((b, bk)) => match (key, bk) {
                (Some(k), Some(bk)) => compare(k, *bk) == want,
                _ => v.as_str().cmp(&b.as_str()) == want,
            },
        };
        if better {
            best = Some((v, key));
        }
    }
    Ok(best.map_or_else(Value::none, |(v, _)| v.clone()))
}

/// Exact comparison of two decimals.
fn compare(a: Decimal, b: Decimal) -> std::cmp::Ordering {
    match b.checked_add(Decimal { mantissa: a.mantissa.saturating_neg(), scale: a.scale }) {
        Some(diff) => 0.cmp(&diff.mantissa),
        None => a.to_f64().total_cmp(&b.to_f64()),
    }
}

fn count(v: Value, kw: Kwargs, _: &State) -> TeraResult<Value> {
    let items: Vec<Value> = match (v.as_array(), v.as_map()) {
        (Some(a), _) => a.to_vec(),
        (None, Some(m)) => return Ok(Value::from(m.len())),
        _ if v.is_none() => return Ok(Value::from(0)),
        _ => {
            return Err(tera::Error::message(format!("cannot count {}: expected a list", describe(&v))));
        }
    };
    let wanted = kw.get::<Value>("value")?;
    let Some(path) = kw.get::<&str>("attribute")? else {
        // `[a, b, a] | count(value=a)`: the items equal to `value`.
        return Ok(Value::from(wanted.map_or(items.len(), |w| items.iter().filter(|i| **i == w).count())));
    };
    let n = items
        .iter()
        .filter(|item| match (item.get_from_path(path), &wanted) {
            (Some(found), Some(w)) => found == w,
            (Some(found), None) => found.is_truthy(),
            (None, _) => false,
        })
        .count();
    Ok(Value::from(n))
}

/// A number argument (`total=`, `by=`), or `None` when it is null.
fn number_arg(kw: &Kwargs, name: &str) -> TeraResult<Option<Decimal>> {
    let v = kw.must_get::<Value>(name)?;
    if v.is_none() {
        return Ok(None);
    }
    decimal(0, &v, None)
        .map(Some)
        .map_err(|_| tera::Error::message(format!("`{name}` is {}: expected a number", describe(&v))))
}

/// `value ÷ divisor × scale`, or null when either is null or the divisor is 0.
fn share(v: &Value, divisor: Option<Decimal>, scale: f64) -> TeraResult<Value> {
    if v.is_none() {
        return Ok(Value::none());
    }
    let value = decimal(0, v, None)
        .map_err(|_| tera::Error::message(format!("cannot divide {}: expected a number", describe(v))))?;
    Ok(match divisor {
        Some(d) if !d.is_zero() => Value::from(value.to_f64() / d.to_f64() * scale),
        _ => Value::none(),
    })
}

fn percent_of(v: Value, kw: Kwargs, _: &State) -> TeraResult<Value> {
    share(&v, number_arg(&kw, "total")?, 100.0)
}

fn divide(v: Value, kw: Kwargs, _: &State) -> TeraResult<Value> {
    share(&v, number_arg(&kw, "by")?, 1.0)
}

fn filter(items: &[Value], kw: Kwargs, _: &State) -> TeraResult<Vec<Value>> {
    let path = kw.must_get::<&str>("attribute")?;
    let wanted = kw.get::<Value>("value")?;
    Ok(items
        .iter()
        .filter(|item| match (item.get_from_path(path), &wanted) {
            (Some(found), Some(w)) => found == w,
            (Some(found), None) => !found.is_none() && !found.is_undefined(),
            (None, _) => false,
        })
        .cloned()
        .collect())
}

fn map(items: &[Value], kw: Kwargs, _: &State) -> TeraResult<Vec<Value>> {
    let _ = kw.must_get::<&str>("attribute")?;
    Ok(operands(items, &kw)?.into_iter().map(|(_, v)| v.clone()).collect())
}

/// A group key: text, whole number or boolean, as Tera's own `group_by` allows.
fn group_key(i: usize, v: &Value) -> TeraResult<Key<'static>> {
    if let Some(s) = v.as_str() {
        return Ok(Key::from(s.to_string()));
    }
    if let Some(b) = v.as_bool() {
        return Ok(Key::Bool(b));
    }
    if let Some(n) = v.as_i128() {
        return Ok(Key::from(n));
    }
    Err(tera::Error::message(format!(
        "item {i}'s group is {}: expected text, a whole number or a boolean",
        describe(v)
    )))
}

/// Items grouped by the value at `attribute`, in the order each group first appears (Tera's
/// own `group_by` returns its groups in hash order, which differs from run to run).
fn groups(items: &[Value], path: &str) -> TeraResult<Vec<(Key<'static>, Vec<Value>)>> {
    let mut out: Vec<(Key<'static>, Vec<Value>)> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(found) = item.get_from_path(path) else {
            return Err(tera::Error::message(format!(
                "item {i} (a {}) has no `{path}`: expected every item to have it",
                item.name()
            )));
        };
        // Like Tera's `group_by`: items whose key is null belong to no group.
        if found.is_none() {
            continue;
        }
        let key = group_key(i, found)?;
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(item.clone()),
            None => out.push((key, vec![item.clone()])),
        }
    }
    Ok(out)
}

fn group_by(items: &[Value], kw: Kwargs, _: &State) -> TeraResult<Map> {
    let path = kw.must_get::<&str>("attribute")?;
    Ok(groups(items, path)?.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
}

fn group_sum(items: &[Value], kw: Kwargs, _: &State) -> TeraResult<Vec<Value>> {
    let by = kw.must_get::<&str>("by")?;
    let attribute = kw.get::<&str>("attribute")?;
    let mut rows = Vec::new();
    for (key, members) in groups(items, by)? {
        let sum = match attribute {
            Some(path) => {
                let mut total = Decimal { mantissa: 0, scale: 0 };
                for (i, m) in members.iter().enumerate() {
                    let v = m.get_from_path(path).filter(|v| !v.is_undefined()).ok_or_else(|| {
                        tera::Error::message(format!(
                            "an item of group {key:?} has no `{path}`: expected every item to have it"
                        ))
                    })?;
                    total = total
                        .checked_add(decimal(i, v, Some(path))?)
                        .ok_or_else(|| tera::Error::message("the sum is too large for exact arithmetic"))?;
                }
                total.to_value()
            }
            None => Value::none(),
        };
        let mut row = Map::new();
        row.insert(Key::from("key"), Value::from(key));
        row.insert(Key::from("count"), Value::from(members.len()));
        row.insert(Key::from("sum"), sum);
        rows.push(Value::from(row));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::parse(s).unwrap()
    }

    #[test]
    fn decimals_add_exactly() {
        let sum = d("0.1").checked_add(d("0.2")).unwrap();
        assert_eq!(sum.to_string(), "0.3");
        assert_eq!(sum.to_f64(), 0.3);
        assert_eq!(d("1234.56").checked_add(d("-0.06")).unwrap().to_string(), "1234.5");
        assert_eq!(d("-0.05").to_string(), "-0.05");
        assert_eq!(d("19.990").checked_add(d("0.01")).unwrap().to_value().as_i64(), Some(20));
    }

    #[test]
    fn floats_read_as_written() {
        let tenth = Decimal::from_number(Number::Float(0.1)).unwrap();
        assert_eq!(tenth, d("0.1"));
        let mut total = Decimal { mantissa: 0, scale: 0 };
        for _ in 0..10 {
            total = total.checked_add(tenth).unwrap();
        }
        assert_eq!(total.to_value().as_i64(), Some(1));
        assert!(Decimal::from_number(Number::Float(f64::INFINITY)).is_err());
        assert!(Decimal::from_number(Number::Float(1e-30)).is_err());
        assert_eq!(
            Decimal::from_number(Number::Integer(i128::from(u64::MAX))).unwrap().to_string(),
            "18446744073709551615"
        );
    }

    #[test]
    fn comparisons_are_exact() {
        assert_eq!(compare(d("0.3"), d("0.30")), std::cmp::Ordering::Equal);
        assert_eq!(compare(d("-1"), d("0.5")), std::cmp::Ordering::Less);
        assert_eq!(compare(d("10"), d("9.99")), std::cmp::Ordering::Greater);
    }

    #[test]
    fn malformed_decimals_are_refused() {
        for bad in ["", "-", ".5", "1.2.3", "1e5", "abc", "0.0000000000000000001"] {
            assert_eq!(Decimal::parse(bad), None, "{bad}");
        }
    }
}
