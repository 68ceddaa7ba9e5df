//! Builds the input JSON and its [`SourceMap`] together, so the two trees
//! cannot drift apart: every value is created with its span.

use serde_json::{Map, Value};

use crate::document::{SourceMap, Span};

/// A JSON value with the source-map node describing it.
#[derive(Debug, Clone)]
pub struct Node {
    pub value: Value,
    pub map: SourceMap,
}

impl Node {
    /// A string located at `span`.
    pub fn string(s: impl Into<String>, span: Span) -> Node {
        Node::leaf(Value::String(s.into()), span)
    }

    /// A string, or `null` when absent; located at `span` either way.
    pub fn opt_string(s: Option<impl Into<String>>, span: Span) -> Node {
        Node::leaf(s.map_or(Value::Null, |s| Value::String(s.into())), span)
    }

    /// A boolean located at `span`.
    pub fn bool(b: bool, span: Span) -> Node {
        Node::leaf(Value::Bool(b), span)
    }

    /// A number located at `span`.
    pub fn number(n: usize, span: Span) -> Node {
        Node::leaf(Value::from(n), span)
    }

    /// `null` located at `span`.
    pub fn null(span: Span) -> Node {
        Node::leaf(Value::Null, span)
    }

    /// Any scalar value located at `span`.
    pub fn leaf(value: Value, span: Span) -> Node {
        Node {
            value,
            map: SourceMap::leaf(span),
        }
    }

    /// An array whose head is `span`.
    pub fn array(span: Span, items: Vec<Node>) -> Node {
        let (values, maps) = items.into_iter().map(|n| (n.value, n.map)).unzip();
        Node {
            value: Value::Array(values),
            map: SourceMap::array(span, maps),
        }
    }
}

/// An object under construction (JSON objects are sorted maps: the order of
/// `set` calls does not show in the input).
/// Entries are collected first and the two maps built once, which is much
/// cheaper than growing them key by key (this runs for every instruction).
#[derive(Debug)]
pub struct Obj {
    span: Span,
    entries: Vec<(&'static str, Node)>,
}

impl Obj {
    /// An empty object whose head is `span`.
    pub fn new(span: Span) -> Obj {
        Obj {
            span,
            entries: Vec::with_capacity(10),
        }
    }

    /// Sets `key`, replacing an earlier value.
    pub fn set(&mut self, key: &'static str, node: Node) -> &mut Obj {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = node,
            None => self.entries.push((key, node)),
        }
        self
    }

    /// The finished object.
    pub fn build(self) -> Node {
        Node::object(
            self.span,
            self.entries.into_iter().map(|(k, n)| (k.to_string(), n)),
        )
    }
}

impl Node {
    /// An object with computed keys (flag names, directive names); a later
    /// entry replaces an earlier one with the same key.
    pub fn object(span: Span, entries: impl ExactSizeIterator<Item = (String, Node)>) -> Node {
        let mut values = Map::with_capacity(entries.len());
        let mut maps = Vec::with_capacity(entries.len());
        for (k, n) in entries {
            values.insert(k.clone(), n.value);
            maps.push((k, n.map));
        }
        Node {
            value: Value::Object(values),
            map: SourceMap::object(span, maps.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::PathSeg;

    #[test]
    fn a_key_given_twice_keeps_its_later_value_and_span() {
        let at = |n: usize| Span::new(n, n + 1);
        let entries = [("to", 1usize), ("from", 2), ("to", 3), ("chmod", 4)]
            .map(|(k, n)| (k.to_string(), Node::number(n, at(n))));
        let node = Node::object(at(0), entries.into_iter());
        assert_eq!(
            node.value,
            serde_json::json!({"chmod": 4, "from": 2, "to": 3})
        );
        let span = |k: &str| node.map.child(&PathSeg::Key(k.into())).unwrap().span;
        assert_eq!(
            [span("chmod"), span("from"), span("to")],
            [at(4), at(2), at(3)]
        );
    }
}
