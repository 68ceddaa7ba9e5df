//! The build-time environment of a stage, as BuildKit keeps it: the `ARG`s
//! declared in the stage (a global `ARG` only once the stage declares it
//! again, with its global default unless it gives its own), the `ENV`s set
//! so far (an `ENV` wins over an `ARG` of the same name), and `--build-arg`
//! unknown, so a default is the value. Instructions BuildKit expands
//! ([`EXPANDED`]) see these values; `RUN`, `CMD` and `ENTRYPOINT` are left
//! to the shell at run time and keep `$VAR` as written.

use std::collections::HashMap;

use crate::document::Source;

/// The instructions whose words BuildKit expands against the stage's
/// environment (the Dockerfile reference's "Environment replacement";
/// `FROM` and global `ARG`s are expanded against global `ARG`s apart, and
/// `ONBUILD` triggers against the `ENV`s the image keeps).
pub const EXPANDED: [&str; 11] = [
    "add",
    "arg",
    "copy",
    "env",
    "expose",
    "label",
    "stopsignal",
    "user",
    "volume",
    "workdir",
    "onbuild",
];

/// A variable with a value at some point of a stage.
#[derive(Clone, Debug)]
pub struct Var {
    pub value: String,
    /// Set by `ENV` (kept in the image, seen by `ONBUILD` triggers); an
    /// `ARG` is build-time only.
    pub env: bool,
    /// Where the value is written, nearest first (an `ENV B=$A` names its
    /// own value, then `A`'s).
    pub sources: Vec<Source>,
    /// How the note names it: "ARG SSH_PORT (line 3)".
    pub shown: String,
}

/// The variables in scope at the current point of a stage.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    vars: HashMap<String, Var>,
}

impl Scope {
    /// The variable's value, if it has one in scope (`env_only`: the
    /// variables an `ONBUILD` trigger will see downstream).
    pub fn get(&self, name: &str, env_only: bool) -> Option<&Var> {
        self.vars.get(name).filter(|v| v.env || !env_only)
    }

    /// An `ARG` declared in the stage: its value, unless an `ENV` of the
    /// same name is already set (`ENV` wins); `None` (no default, no global
    /// default) leaves it without a value, as BuildKit does with no
    /// `--build-arg`.
    pub fn declare_arg(&mut self, name: &str, var: Option<Var>) {
        if self.vars.get(name).is_some_and(|v| v.env) {
            return;
        }
        match var {
            Some(v) => {
                self.vars.insert(name.to_string(), v);
            }
            None => {
                self.vars.remove(name);
            }
        }
    }

    /// A variable whose value is no longer known (an `ENV` set to a value
    /// that names an unknown variable).
    pub fn forget(&mut self, name: &str) {
        self.vars.remove(name);
    }

    /// An `ENV` setting.
    pub fn set_env(&mut self, name: &str, var: Var) {
        self.vars.insert(name.to_string(), var);
    }

    /// The `ENV`s only: what a stage built `FROM` this one starts with.
    pub fn env_only(&self) -> Scope {
        Scope {
            vars: self
                .vars
                .iter()
                .filter(|(_, v)| v.env)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

/// The places and the note of the variables a word used.
pub fn explain(scope: &Scope, used: &[String], env_only: bool) -> Option<(String, Vec<Source>)> {
    let vars: Vec<&Var> = used.iter().filter_map(|n| scope.get(n, env_only)).collect();
    let (note, sources) = match vars.as_slice() {
        [] => return None,
        [one] => (format!("from {}", one.shown), one.sources.clone()),
        [init @ .., last] => {
            let names: Vec<&str> = init.iter().map(|v| v.shown.as_str()).collect();
            let note = format!("from {} and {}", names.join(", "), last.shown);
            (note, vars.iter().flat_map(|v| v.sources.clone()).collect())
        }
    };
    Some((note, sources))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Span;

    fn var(value: &str, env: bool) -> Var {
        Var {
            value: value.into(),
            env,
            sources: vec![Source {
                message: value.into(),
                span: Span::new(0, 1),
                file: None,
            }],
            shown: value.into(),
        }
    }

    #[test]
    fn an_env_wins_over_a_later_arg_of_the_same_name() {
        let mut s = Scope::default();
        s.set_env("P", var("22", true));
        s.declare_arg("P", Some(var("2222", false)));
        assert_eq!(s.get("P", false).unwrap().value, "22");
    }

    #[test]
    fn onbuild_triggers_see_only_envs() {
        let mut s = Scope::default();
        s.declare_arg("A", Some(var("1", false)));
        s.set_env("E", var("2", true));
        assert!(s.get("A", true).is_none());
        assert!(s.get("E", true).is_some());
        assert!(s.env_only().get("A", false).is_none());
    }

    #[test]
    fn an_arg_without_a_value_has_none() {
        let mut s = Scope::default();
        s.declare_arg("A", Some(var("1", false)));
        s.declare_arg("A", None);
        assert!(s.get("A", false).is_none());
    }
}
