//! Terraform plans (`terraform show -json`), recognised by content.
//!
//! The plan is one document whose input is the JSON exactly as Terraform
//! wrote it (DESIGN.md §3), so rules use Terraform's own documented field
//! names (`resource_changes[].change.actions`, `resource_drift`, …). Nothing
//! here walks the plan: the loader already built the value and its source
//! map in one linear pass, and both are moved into the document.

use std::sync::Arc;

use crate::document::{Document, Kind, Parsed, SourceFile, SourceMap};

/// Whether a JSON value is a Terraform plan: `terraform show -json` always
/// writes `format_version`, and a plan has at least one of its sections.
/// (A state file from `terraform show -json` without a plan has `values` but
/// none of these, and is not a plan.)
pub fn is_plan(value: &serde_json::Value) -> bool {
    value.get("format_version").is_some()
        && ["resource_changes", "planned_values", "resource_drift"]
            .iter()
            .any(|k| value.get(k).is_some())
}

/// The plan as its own document, unchanged.
pub fn document(file: &Arc<SourceFile>, value: serde_json::Value, map: SourceMap) -> Parsed {
    let mut doc = Document::new(Kind::Tfplan, file.clone(), value, map);
    doc.label = "plan".to_owned();
    Parsed {
        documents: vec![doc],
        errors: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::PathSeg;
    use crate::parse;

    const PLAN: &str = r#"{
  "format_version": "1.2",
  "terraform_version": "1.9.0",
  "resource_drift": [],
  "resource_changes": [
    {
      "address": "aws_instance.web",
      "type": "aws_instance",
      "change": {
        "actions": ["update"],
        "before": {"ami": "ami-1"},
        "after": {"ami": "ami-2"}
      }
    }
  ]
}
"#;

    #[test]
    fn plans_are_recognised_and_kept_unchanged() {
        let f = Arc::new(SourceFile::new("plan.json", PLAN));
        let parsed = parse::json(&f);
        assert!(parsed.errors.is_empty());
        assert_eq!(parsed.documents.len(), 1);
        let doc = &parsed.documents[0];
        assert_eq!(doc.kind, Kind::Tfplan);
        let expected: serde_json::Value = serde_json::from_str(PLAN).expect("valid");
        assert_eq!(doc.input, expected);
        let path = [
            PathSeg::Key("resource_changes".into()),
            PathSeg::Index(0),
            PathSeg::Key("change".into()),
            PathSeg::Key("actions".into()),
            PathSeg::Index(0),
        ];
        let (node, depth) = doc.source_map.locate(&path);
        assert_eq!(depth, path.len());
        let pos = f.position(node.span.start as usize);
        assert_eq!((pos.line, pos.column), (10, 21));
    }

    #[test]
    fn the_documented_example_maps_as_documented() {
        let md = include_str!("../../docs/input-tfplan.md");
        let f = Arc::new(SourceFile::new(
            "plan.json",
            crate::parse::kubernetes::tests::fenced(md, "json"),
        ));
        let parsed = parse::json(&f);
        let doc = &parsed.documents[0];
        assert_eq!(doc.kind, Kind::Tfplan);
        let line = |p: &[PathSeg]| {
            let (node, _) = doc.source_map.locate(p);
            f.position(node.span.start as usize).line
        };
        let rc = || vec![PathSeg::Key("resource_changes".into()), PathSeg::Index(0)];
        let key = |k: &str| PathSeg::Key(k.into());
        assert_eq!(
            line(&[rc(), vec![key("change"), key("actions")]].concat()),
            10
        );
        assert_eq!(line(&[rc(), vec![key("address")]].concat()), 7);
        assert_eq!(line(&[rc(), vec![key("change")]].concat()), 9);
        assert_eq!(line(&rc()), 6);
        assert_eq!(
            line(&[rc(), vec![key("change"), key("after"), key("tags")]].concat()),
            12
        );
    }

    #[test]
    fn only_plans_are_plans() {
        let value = |s: &str| serde_json::from_str::<serde_json::Value>(s).expect("valid");
        assert!(is_plan(&value(
            r#"{"format_version":"1.0","planned_values":{}}"#
        )));
        assert!(is_plan(&value(
            r#"{"format_version":"1.0","resource_drift":[]}"#
        )));
        assert!(!is_plan(&value(r#"{"format_version":"1.0","values":{}}"#)));
        assert!(!is_plan(&value(r#"{"resource_changes":[]}"#)));
        assert!(!is_plan(&value(r#"[1]"#)));
    }

    #[test]
    fn a_broken_plan_is_a_parse_error_and_other_json_is_silent() {
        let f = Arc::new(SourceFile::new(
            "plan.json",
            "{\"format_version\": \"1.2\",\n \"resource_changes\": [\n  {\"address\": }\n]}",
        ));
        let parsed = parse::json(&f);
        assert_eq!(parsed.errors.len(), 1);
        let pos = f.position(parsed.errors[0].start);
        assert_eq!((pos.line, pos.column), (3, 15));
        let other = Arc::new(SourceFile::new("package.json", "{\"name\": }"));
        let parsed = parse::json(&other);
        assert!(parsed.errors.is_empty() && parsed.documents.is_empty());
    }
}
