//! UPD002: adds `lifecycle { create_before_destroy = true }` to the resource block the plan address comes from.
//!
//! The finding is in the plan JSON; the edit is in the `.tf` file of the
//! module that declares the resource. The plan's `module_address`
//! (`module.app[0].module.db`) is followed through the plan's
//! `configuration` section, whose module calls name their `source`; local
//! sources (`./modules/app`) are joined onto the root module's directory,
//! which is the plan file's directory (where `terraform show -json` is
//! usually run) or else the current directory. A module from a registry or
//! git is not ours to edit: that is an error, not a silent skip.

pub(in crate::fix) mod hcl;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use hcl_edit::Span as _;
use hcl_edit::structure::Block;
use serde_json::Value;

use super::{Applicability, Edit, Fix, FixContext, FixError};
use crate::document::SourceFile;
use crate::finding::Finding;

/// How safe this module's fix is (`driftless explain` shows it). Unsafe:
/// it changes the order of the next replacement (the new object exists
/// while the old one does; a resource with a unique name or a fixed IP then
/// fails to create), and Terraform propagates it to the resources this one
/// depends on.
pub const APPLICABILITY: Applicability = Applicability::Unsafe;

/// The fix for `finding`, or `None` when this finding has none.
pub fn fix(finding: &Finding, _ctx: &FixContext) -> Option<Result<Fix, FixError>> {
    let fail = |message: String| FixError {
        rule_id: finding.rule_id.clone(),
        message,
    };
    Some(
        create_before_destroy(finding)
            .map_err(fail)
            .map(|(edit, what)| Fix {
                rule_id: finding.rule_id.clone(),
                title: format!("add `lifecycle {{ create_before_destroy = true }}` to {what}"),
                applicability: APPLICABILITY,
                edits: vec![edit],
            }),
    )
}

/// What a plan's resource change names: the module path and the block.
struct Address {
    modules: Vec<String>,
    ty: String,
    name: String,
}

fn create_before_destroy(finding: &Finding) -> Result<(Edit, String), String> {
    let plan: Value = serde_json::from_str(&finding.file.text)
        .map_err(|e| format!("the plan is not JSON: {e}"))?;
    let address = changed_address(&plan, &finding.json_path)?;
    let root_module = &plan["configuration"]["root_module"];
    let plan_dir = finding.file.path.parent().unwrap_or(Path::new(""));
    let mut last_error = String::new();
    for root in [plan_dir, Path::new(".")] {
        let found = module_dir(root_module, &address.modules, root)
            .and_then(|dir| find_resource_file(&dir, &address));
        match found {
            Ok((file, what)) => return edit_resource(&file, &address).map(|e| (e, what)),
            Err(e) => last_error = e,
        }
    }
    Err(last_error)
}

/// The module path, type and name of `resource_changes[i]`, from the
/// finding's JSON path.
fn changed_address(plan: &Value, json_path: &str) -> Result<Address, String> {
    let index: usize = json_path
        .strip_prefix("resource_changes[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|i| i.parse().ok())
        .ok_or_else(|| format!("`{json_path}` is not a resource change"))?;
    let change = &plan["resource_changes"][index];
    if change["mode"].as_str() != Some("managed") {
        return Err("only managed resources are replaced".into());
    }
    let text = |key: &str| {
        change[key]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("the resource change has no `{key}`"))
    };
    Ok(Address {
        modules: module_names(change["module_address"].as_str().unwrap_or(""))?,
        ty: text("type")?,
        name: text("name")?,
    })
}

/// `module.app[0].module.db["k"]` → `["app", "db"]`: instance keys do not
/// change which code declares the resource.
fn module_names(address: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    let mut rest = address;
    while !rest.is_empty() {
        let after = rest
            .strip_prefix("module.")
            .ok_or_else(|| format!("cannot read module address `{address}`"))?;
        let end = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(after.len());
        names.push(after[..end].to_string());
        rest = skip_instance_key(&after[end..]);
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    Ok(names)
}

/// The text after a leading `[0]` or `["a.b"]` (quotes may hold brackets).
fn skip_instance_key(text: &str) -> &str {
    if !text.starts_with('[') {
        return text;
    }
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ']' if !in_string => return &text[i + 1..],
            _ => {}
        }
    }
    ""
}

/// The directory of the module at `modules` below `root`, following the
/// plan configuration's module calls and their local `source`s.
fn module_dir(root_module: &Value, modules: &[String], root: &Path) -> Result<PathBuf, String> {
    let mut dir = root.to_path_buf();
    let mut module = root_module;
    for name in modules {
        let call = &module["module_calls"][name];
        let source = call["source"]
            .as_str()
            .ok_or_else(|| format!("the plan's configuration has no module call `{name}`"))?;
        if !(source.starts_with("./") || source.starts_with("../")) {
            return Err(format!(
                "module `{name}` comes from `{source}`, not a local directory: set `create_before_destroy` in that module's code"
            ));
        }
        dir = dir.join(source);
        module = &call["module"];
    }
    Ok(dir)
}

/// The `.tf` file of `dir` that declares the resource, read.
fn find_resource_file(dir: &Path, address: &Address) -> Result<(Arc<SourceFile>, String), String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read module directory {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .collect();
    files.sort();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let declares = hcl::parse(&text)
            .is_some_and(|body| hcl::find_resource(&body, &address.ty, &address.name).is_some());
        if declares {
            let what = format!(
                "`resource \"{}\" \"{}\"` in {}",
                address.ty,
                address.name,
                path.display()
            );
            return Ok((Arc::new(SourceFile::new(path, text)), what));
        }
    }
    Err(format!(
        "no `resource \"{}\" \"{}\"` in the `.tf` files of {}",
        address.ty,
        address.name,
        dir.display()
    ))
}

/// Sets `create_before_destroy = true` in the resource's `lifecycle`
/// block: the value replaced if it is written, the attribute added to an
/// existing block, or a new block added at the end of the resource.
fn edit_resource(file: &Arc<SourceFile>, address: &Address) -> Result<Edit, String> {
    let body = hcl::parse(&file.text).ok_or("the module file no longer parses")?;
    let resource = hcl::find_resource(&body, &address.ty, &address.name)
        .ok_or("the resource block is gone")?;
    let lifecycle: Option<&Block> = hcl::child_blocks(resource, "lifecycle").next();
    let cannot = || "the block is not laid out one item per line; edit it by hand".to_string();
    match lifecycle {
        Some(block) => match hcl::attribute(block, "create_before_destroy") {
            Some(attr) => {
                let span = attr.value.span().ok_or_else(cannot)?;
                if file.text[span.clone()].trim() == "true" {
                    return Err("`create_before_destroy` is already true: the replacement order comes from a resource that depends on this one".into());
                }
                Ok(Edit {
                    file: file.clone(),
                    start: span.start,
                    end: span.end,
                    replacement: "true".into(),
                })
            }
            None => hcl::append_to_block(file, block, &["create_before_destroy = true".into()])
                .ok_or_else(cannot),
        },
        None => hcl::append_to_block(
            file,
            resource,
            &[
                "lifecycle {".into(),
                "  create_before_destroy = true".into(),
                "}".into(),
            ],
        )
        .ok_or_else(cannot),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_names_drop_instance_keys() {
        assert_eq!(
            module_names("module.app[0].module.db[\"a.b]\"]").unwrap(),
            ["app", "db"]
        );
        assert!(module_names("").unwrap().is_empty());
        assert!(module_names("data.x").is_err());
    }
}
