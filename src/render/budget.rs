//! Placeholder until the budget branch lands.

/// A size budget.
pub struct Budget {
    pub limit: usize,
}

impl Budget {
    pub const SUMMARY: Budget = Budget { limit: 1_000_000 };
    pub fn parse(s: &str) -> Result<Budget, String> {
        match s {
            "summary" => Ok(Budget { limit: 1_000_000 }),
            "comment" | "check" => Ok(Budget { limit: 65_000 }),
            _ => s.parse().map(|limit| Budget { limit }).map_err(|_| format!("bad budget {s}")),
        }
    }
}

/// The fitted text.
pub struct Fitted {
    pub text: String,
    pub omitted: Vec<String>,
}

/// Fits `markdown` into `budget`.
pub fn fit(markdown: &str, _budget: &Budget) -> Fitted {
    Fitted { text: markdown.to_string(), omitted: Vec::new() }
}
