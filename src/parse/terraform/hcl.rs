//! Native HCL (`.tf`, `.tfvars`) through hcl-edit, which keeps the byte
//! span of every block, label and expression.

use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::structure::{Block as HclBlock, Body as HclBody, Structure};

use super::body::{Attr, Block, Body, Expr, Item, Loc};
use crate::document::{ParseError, SourceFile, Span};

/// Parses a file; a syntax error becomes a `ParseError` at its position.
/// Whitespace and comments stay spans into the file's text
/// (`parse_body_spanned`, vendor/hcl-edit/DRIFTLESS-PATCH.md): the scan
/// reads values and spans and never prints a body back.
pub(crate) fn parse(file: &Arc<SourceFile>) -> Result<HclBody, ParseError> {
    if let Some((offset, message)) = super::precheck::unclosed(&file.text) {
        return Err(ParseError::at(
            file,
            offset,
            format!("invalid HCL: {message}"),
        ));
    }
    hcl_edit::parser::parse_body_spanned(&file.text).map_err(|e| {
        let offset = e.location().offset().min(file.text.len());
        ParseError::at(file, offset, format!("invalid HCL: {}", e.message()))
    })
}

/// The body in the shared shape, borrowing the parsed expressions.
pub(crate) fn body<'a>(b: &'a HclBody, loc: Loc<'a>) -> Body<'a> {
    let items = b
        .iter()
        .map(|s| match s {
            Structure::Attribute(a) => Item::Attr(Attr {
                name: a.key.as_str(),
                expr: Expr::Hcl(&a.value, loc),
            }),
            Structure::Block(blk) => Item::Block(block(blk, loc)),
        })
        .collect();
    Body { items }
}

fn block<'a>(b: &'a HclBlock, loc: Loc<'a>) -> Block<'a> {
    let labels: Vec<(&str, Span)> = b
        .labels
        .iter()
        .map(|l| (l.as_str(), loc.span(l.span())))
        .collect();
    let start = b.ident.span().map(|r| r.start);
    let end = b
        .labels
        .last()
        .and_then(|l| l.span())
        .or_else(|| b.ident.span())
        .map(|r| r.end);
    let head = match (start, end) {
        (Some(s), Some(e)) => loc.span(Some(s..e)),
        _ => loc.span(b.span()),
    };
    Block {
        ident: b.ident.as_str(),
        labels,
        head,
        body: body(&b.body, loc),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Identifiers are whole whichever path of the parser reads them
    /// (vendor/hcl-edit's ASCII one, or its Unicode one): `-` and digits
    /// after the first character, non-ASCII letters anywhere, and one that
    /// ends the file.
    #[test]
    fn identifiers_are_read_whole() {
        let text = "a-b = 1\n_z9 = 2\ncafé = 3\nété-x = 4\nk = var.my-name";
        let file = Arc::new(SourceFile::new("main.tf", text));
        let parsed = parse(&file).expect("valid HCL");
        let keys: Vec<&str> = parsed.attributes().map(|a| a.key.as_str()).collect();
        assert_eq!(keys, ["a-b", "_z9", "café", "été-x", "k"]);
        let last = parsed.attributes().last().expect("k");
        let Some(traversal) = last.value.as_traversal() else {
            panic!("`var.my-name` is a traversal")
        };
        assert_eq!(
            traversal.expr.as_variable().map(|v| v.as_str()),
            Some("var")
        );
        let names: Vec<&str> = traversal
            .operators
            .iter()
            .filter_map(|op| match op.value() {
                hcl_edit::expr::TraversalOperator::GetAttr(name) => Some(name.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(names, ["my-name"]);
        for bad in ["1a = 2\n", "-a = 2\n"] {
            let file = Arc::new(SourceFile::new("main.tf", bad));
            assert!(parse(&file).is_err(), "`{bad}` is not an identifier");
        }
    }

    /// Quoted strings end where Terraform ends them whichever way their
    /// text runs (vendor/hcl-edit measures the literal byte by byte): at an
    /// escape, an interpolation or directive, an escaped marker (`$${`,
    /// `%%{`), never at a lone `$` or `%`, and not inside a multi-byte
    /// character.
    #[test]
    fn quoted_strings_are_read_whole() {
        let cases = [
            (r#""plain""#, "plain"),
            (r#""""#, ""),
            (r#""a\"b\\c\n""#, "a\"b\\c\n"),
            (r#""cost: 5$ or 5%""#, "cost: 5$ or 5%"),
            (r#""$$ and %% and $%""#, "$$ and %% and $%"),
            (r#""$${x} %%{y} $$${z}""#, "${x} %{y} $${z}"),
            (r#""été ☃ $ é%""#, "été ☃ $ é%"),
            (r#""a\u00e9b""#, "aéb"),
        ];
        for (quoted, want) in cases {
            let text = format!("k = {quoted}\n");
            let file = Arc::new(SourceFile::new("main.tf", text.as_str()));
            let parsed = parse(&file).unwrap_or_else(|e| panic!("{quoted}: {e:?}"));
            let value = &parsed.attributes().next().expect("k").value;
            let got = match value {
                hcl_edit::expr::Expression::String(s) => s.value().to_string(),
                other => panic!("{quoted} is {other:?}"),
            };
            assert_eq!(got, want, "{quoted}");
        }
        let template = "k = \"a-${var.x}-b%{ if true }c%{ endif }$d\"\n";
        let file = Arc::new(SourceFile::new("main.tf", template));
        let parsed = parse(&file).expect("valid HCL");
        let value = &parsed.attributes().next().expect("k").value;
        let hcl_edit::expr::Expression::StringTemplate(t) = value else {
            panic!("a template: {value:?}")
        };
        let literals: Vec<String> = t
            .iter()
            .filter_map(|e| match e {
                hcl_edit::template::Element::Literal(l) => Some(l.value().to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(literals, ["a-", "-b", "$d"]);
        for bad in ["k = \"open\n", "k = \"a\\q\"\n"] {
            let file = Arc::new(SourceFile::new("main.tf", bad));
            assert!(parse(&file).is_err(), "`{bad}` is not a string");
        }
    }

    /// The scanner's parse keeps no whitespace or comments around nodes
    /// (vendor/hcl-edit keeps them out of line and drops them in
    /// `parse_body_spanned`), only values and exact spans; the parse that
    /// fixes print back, run after it on the same thread, keeps every
    /// comment and blank so the file prints back unchanged.
    #[test]
    fn decor_is_kept_only_where_the_body_is_printed() {
        use hcl_edit::{Decorate, Span as _};
        let text = "# head\nlocals {\n  a   = var.x # why\n  /* b */ b = [1 , 2]\n}\n\nk = \"v\"\n";
        let file = Arc::new(SourceFile::new("main.tf", text));
        let scanned = parse(&file).expect("valid HCL");
        let block = scanned.blocks().next().expect("locals");
        assert_eq!(block.decor().prefix(), None, "no comment kept by the scan");
        for attr in block.body.attributes() {
            assert_eq!(attr.decor().prefix(), None);
            assert_eq!(attr.value.decor().suffix(), None);
        }
        let values: Vec<&str> = block
            .body
            .attributes()
            .chain(scanned.attributes())
            .map(|a| &text[a.value.span().expect("a span")])
            .collect();
        assert_eq!(values, ["var.x", "[1 , 2]", "\"v\""]);
        let printed = hcl_edit::parser::parse_body(text).expect("valid HCL");
        assert_eq!(printed.to_string(), text);
        let block = printed.blocks().next().expect("locals");
        let attr = block.body.attributes().next().expect("a");
        let suffix = attr.decor().suffix().or(attr.value.decor().suffix());
        assert_eq!(suffix.map(|s| s.trim()), Some("# why"));
    }

    /// Every construct here is valid HCL (`terraform fmt` accepts each), so
    /// none may end in PARSE001: newlines inside `for` expressions before an
    /// operator, `?` or `:`, inside function-call arguments and arrays, and
    /// inside template interpolations.
    #[test]
    fn newlines_terraform_accepts_parse() {
        let cases = [
            "for object value before ?/:",
            "a = {\n  for k, v in x : k =>\n  v.x\n  ? 1\n  : 2\n}\n",
            "for object value before an operator",
            "a = {\n  for k, v in x : k => v.a\n  + 1\n}\n",
            "for object key before an operator",
            "a = {\n  for k, v in x : k\n  == \"a\" ? \"x\" : k => v\n}\n",
            "for object collection before ?/:",
            "a = {\n  for k, v in x\n  ? y\n  : z : k => v\n}\n",
            "for list collection before ?/:",
            "a = [\n  for v in x\n  ? y\n  : z : v\n]\n",
            "for list value before ?/:",
            "a = [\n  for v in x :\n  v.x\n  ? 1\n  : 2\n]\n",
            "for condition before an operator",
            "a = [for v in x : v\n  if v\n  != null]\n",
            "function argument before ?/:",
            "a = merge(\n  x,\n  y\n  ? {}\n  : { a = 1 }\n)\n",
            "function argument before an operator",
            "a = f(\n  x\n  + 1,\n  y\n)\n",
            "array item before ?/:",
            "a = [\n  y\n  ? 1\n  : 2,\n  3\n]\n",
            "interpolation before ?/:",
            "a = \"x-${\n  y == \"1\" ? \"2\" :\n  y == \"3\" ? \"4\" : \"\"\n}\"\n",
        ];
        for pair in cases.chunks(2) {
            let (what, text) = (pair[0], pair[1]);
            let file = Arc::new(SourceFile::new("main.tf", text));
            if let Err(e) = parse(&file) {
                panic!("{what}: `{text}` did not parse: {e:?}");
            }
        }
    }
}
