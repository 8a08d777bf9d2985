//! Sigma conditions: `and`, `or`, `not`, parentheses, `1 of` / `all of` a selection name,
//! a `name*` pattern or `them`. Aggregations (`| count() ...`) are refused by the caller.

/// A parsed condition over selection names.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Name(String),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
}

/// Parses `text`, expanding `of` quantifiers over `names` (the detection's selections, in
/// file order).
pub fn parse(text: &str, names: &[String]) -> Result<Cond, String> {
    if text.contains('|') {
        return Err("an aggregation (`|`) in the condition".into());
    }
    let tokens = tokenize(text);
    let mut p = Parser {
        tokens,
        at: 0,
        names,
    };
    let cond = p.or()?;
    match p.peek() {
        None => Ok(cond),
        Some(t) => Err(format!("unexpected `{t}` in the condition")),
    }
}

fn tokenize(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in text.chars() {
        if c.is_whitespace() || c == '(' || c == ')' {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            if c == '(' || c == ')' {
                out.push(c.to_string());
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

struct Parser<'a> {
    tokens: Vec<String>,
    at: usize,
    names: &'a [String],
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.at).map(String::as_str)
    }

    fn next(&mut self) -> Option<String> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn keyword(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Result<Cond, String> {
        let mut parts = vec![self.and()?];
        while self.keyword("or") {
            self.at += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Cond::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Cond, String> {
        let mut parts = vec![self.not()?];
        while self.keyword("and") {
            self.at += 1;
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Cond::And(parts)
        })
    }

    fn not(&mut self) -> Result<Cond, String> {
        if self.keyword("not") {
            self.at += 1;
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Cond, String> {
        let Some(token) = self.next() else {
            return Err("the condition ends where a selection was expected".into());
        };
        if token == "(" {
            let inner = self.or()?;
            return match self.next().as_deref() {
                Some(")") => Ok(inner),
                _ => Err("an unclosed `(` in the condition".into()),
            };
        }
        if token == ")" {
            return Err("an unexpected `)` in the condition".into());
        }
        if self.keyword("of") {
            self.at += 1;
            let all = match token.to_ascii_lowercase().as_str() {
                "all" => true,
                "1" | "any" => false,
                other => return Err(format!("`{other} of` (only `1 of` and `all of` exist)")),
            };
            let target = self
                .next()
                .ok_or("`of` with nothing after it in the condition")?;
            let chosen: Vec<Cond> = self
                .names
                .iter()
                .filter(|n| matches_pattern(&target, n))
                .map(|n| Cond::Name(n.clone()))
                .collect();
            if chosen.is_empty() {
                return Err(format!("`of {target}` names no selection"));
            }
            return Ok(if all {
                Cond::And(chosen)
            } else {
                Cond::Or(chosen)
            });
        }
        for keyword in ["and", "or", "not", "of"] {
            if token.eq_ignore_ascii_case(keyword) {
                return Err(format!("`{token}` where a selection was expected"));
            }
        }
        if !self.names.contains(&token) {
            return Err(format!(
                "the condition names `{token}`, which is no selection"
            ));
        }
        Ok(Cond::Name(token))
    }
}

/// `them` matches every selection; `sel*` those starting with `sel`; `*` may stand anywhere.
fn matches_pattern(pattern: &str, name: &str) -> bool {
    if pattern == "them" {
        // Sigma: `them` spans every selection except those whose name starts with `_`.
        return !name.starts_with('_');
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == name;
    }
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let n = names(&["a", "b", "c"]);
        let c = parse("a or b and not c", &n).unwrap();
        assert_eq!(
            c,
            Cond::Or(vec![
                Cond::Name("a".into()),
                Cond::And(vec![
                    Cond::Name("b".into()),
                    Cond::Not(Box::new(Cond::Name("c".into())))
                ])
            ])
        );
    }

    #[test]
    fn quantifiers_expand_over_matching_selections() {
        let n = names(&["selection_img", "selection_cli", "filter_main", "_hidden"]);
        assert_eq!(
            parse("all of selection_* and not 1 of filter_*", &n).unwrap(),
            Cond::And(vec![
                Cond::And(vec![
                    Cond::Name("selection_img".into()),
                    Cond::Name("selection_cli".into())
                ]),
                Cond::Not(Box::new(Cond::Or(vec![Cond::Name("filter_main".into())])))
            ])
        );
        assert_eq!(
            parse("1 of them", &n).unwrap(),
            Cond::Or(vec![
                Cond::Name("selection_img".into()),
                Cond::Name("selection_cli".into()),
                Cond::Name("filter_main".into())
            ])
        );
    }

    #[test]
    fn bad_conditions_say_why() {
        let n = names(&["a"]);
        assert!(parse("a | count() > 5", &n)
            .unwrap_err()
            .contains("aggregation"));
        assert!(parse("(a", &n).unwrap_err().contains("unclosed"));
        assert!(parse("b", &n).unwrap_err().contains("no selection"));
        assert!(parse("1 of x*", &n)
            .unwrap_err()
            .contains("names no selection"));
        assert!(parse("a and", &n).unwrap_err().contains("ends"));
    }
}
