//! One shape for the configuration of both syntaxes: native HCL and
//! `.tf.json` bodies are read into [`Body`] so that evaluation, `dynamic`
//! expansion and the document shape are written once.

use std::ops::Range;

use hcl_edit::expr::Expression;
use serde_json::Value;

use crate::document::{SourceMap, Span};

/// Where an expression's text lives, so spans and "as written" text can be
/// produced for any sub-expression.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Loc<'t> {
    /// The text hcl-edit parsed (a whole `.tf` file, or the content of one
    /// JSON string for a `.tf.json` template).
    pub text: &'t str,
    /// The document file the spans point into.
    pub file: u16,
    /// When set, every span is this one: the text was unescaped from a JSON
    /// string, so its offsets do not map back to the file byte for byte.
    pub fixed: Option<Span>,
}

impl<'t> Loc<'t> {
    /// A location in a whole file.
    pub fn file(text: &'t str, file: u16) -> Self {
        Loc {
            text,
            file,
            fixed: None,
        }
    }

    /// The document span of a byte range of `text`.
    pub fn span(&self, range: Option<Range<usize>>) -> Span {
        if let Some(s) = self.fixed {
            return s;
        }
        let r = range.unwrap_or(0..0);
        Span::new(r.start, r.end).in_file(self.file)
    }

    /// The source text of a byte range, exactly as written.
    pub fn src(&self, range: Option<Range<usize>>) -> &'t str {
        range.and_then(|r| self.text.get(r)).unwrap_or("")
    }
}

/// An attribute's expression, in either syntax.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Expr<'a> {
    /// A native HCL expression.
    Hcl(&'a Expression, Loc<'a>),
    /// A `.tf.json` value: strings are templates, objects and arrays stay
    /// objects and arrays. The map's spans are in document file `.2`.
    Json(&'a Value, &'a SourceMap, u16),
}

impl Expr<'_> {
    /// The span of the whole expression.
    pub fn span(&self) -> Span {
        match self {
            Expr::Hcl(e, loc) => loc.span(hcl_edit::Span::span(*e)),
            Expr::Json(_, map, file) => map.span.in_file(*file),
        }
    }

    /// The bare identifier the expression consists of (`iterator = rule`,
    /// or the string `"rule"` in JSON).
    pub fn as_ident(&self) -> Option<&str> {
        match self {
            Expr::Hcl(Expression::Variable(v), _) => Some(v.as_str()),
            Expr::Hcl(Expression::String(s), _) => Some(s.as_str()),
            Expr::Json(Value::String(s), _, _) => Some(s),
            _ => None,
        }
    }
}

/// A block or file body: attributes and nested blocks, in source order.
#[derive(Debug, Default)]
pub(crate) struct Body<'a> {
    pub items: Vec<Item<'a>>,
}

/// One entry of a body.
#[derive(Debug)]
pub(crate) enum Item<'a> {
    Attr(Attr<'a>),
    Block(Block<'a>),
}

/// `name = expr`.
#[derive(Debug)]
pub(crate) struct Attr<'a> {
    pub name: &'a str,
    pub expr: Expr<'a>,
}

/// `ident "label" ... { body }`.
#[derive(Debug)]
pub(crate) struct Block<'a> {
    pub ident: &'a str,
    /// Labels with their spans.
    pub labels: Vec<(&'a str, Span)>,
    /// The header (`resource "aws_instance" "web"`): where findings about
    /// the block as a whole, or about something missing in it, are reported.
    pub head: Span,
    pub body: Body<'a>,
}

impl<'a> Body<'a> {
    /// The attribute `name`, if the body has one.
    pub fn attr(&self, name: &str) -> Option<&Attr<'a>> {
        self.items.iter().find_map(|i| match i {
            Item::Attr(a) if a.name == name => Some(a),
            _ => None,
        })
    }

    /// The nested blocks named `ident`.
    pub fn blocks<'s>(&'s self, ident: &'s str) -> impl Iterator<Item = &'s Block<'a>> + 's {
        self.items.iter().filter_map(move |i| match i {
            Item::Block(b) if b.ident == ident => Some(b),
            _ => None,
        })
    }

    /// Every attribute.
    pub fn attrs(&self) -> impl Iterator<Item = &Attr<'a>> {
        self.items.iter().filter_map(|i| match i {
            Item::Attr(a) => Some(a),
            _ => None,
        })
    }
}

impl<'a> Block<'a> {
    /// The label at `i`, or "" when the block has fewer labels.
    pub fn label(&self, i: usize) -> &'a str {
        self.labels.get(i).map(|(l, _)| *l).unwrap_or("")
    }

    /// The span of the label at `i`, or the header when it is missing.
    pub fn label_span(&self, i: usize) -> Span {
        self.labels.get(i).map(|(_, s)| *s).unwrap_or(self.head)
    }
}
