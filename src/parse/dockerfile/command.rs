//! What one simple shell command of a `RUN` does: which program it runs
//! once `sudo`, `env X=1` and the like are peeled off, and which of its
//! words are packages handed to a package manager.
//!
//! Rules see this through the Rego builtin `driftless.parse_command(words)`
//! (registered in `engine::extensions`). It lives in Rust because it is
//! normalisation, shared by several rules (VER004, SSH003, UPD006, VER005),
//! and was the slowest part of the Dockerfile rules when written in Rego: a
//! positional scan over every word of every command. Whether a package is
//! *pinned* stays a rule decision (`policies/lib/packages.rego`).

use serde::Serialize;

/// A simple command, analysed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Command {
    /// The program's base name (`/usr/sbin/sshd` → `sshd`); `None` when the
    /// command is only prefixes or assignments (`env`, `X=1`).
    pub program: Option<String>,
    /// How many leading words are prefixes (`sudo -E`, `env X=1`, `X=1`,
    /// `nice -n 10`, `timeout 300`, `xargs -r`...): the program is word
    /// `skip`.
    pub skip: usize,
    /// The package manager this command installs with, if any.
    pub manager: Option<Manager>,
    /// The words that name packages to install, in order.
    pub packages: Vec<Package>,
}

/// One package argument of an install command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Package {
    /// Index of the word among the words given (prefixes included).
    pub index: usize,
    /// The word as written (`curl=7.88.1-10`, `requests>=2`).
    pub name: String,
    pub manager: Manager,
}

/// Package managers whose install commands are understood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Manager {
    Apt,
    Apk,
    Yum,
    Zypper,
    Pip,
    Npm,
    Gem,
    Go,
}

/// Analyses the words of one simple command (quotes already removed).
pub fn analyse<S: AsRef<str>>(words: &[S]) -> Command {
    let words: Vec<&str> = words.iter().map(AsRef::as_ref).collect();
    let skip = prefix_len(&words);
    let rest = &words[skip..];
    let program = rest.first().map(|w| base_name(w).to_string());
    let manager = program.as_deref().and_then(|p| manager(p, rest));
    let packages = match manager {
        Some(m) => packages(rest, m)
            .into_iter()
            .map(|k| Package {
                index: k + skip,
                name: rest[k].to_string(),
                manager: m,
            })
            .collect(),
        None => Vec::new(),
    };
    Command {
        program,
        skip,
        manager,
        packages,
    }
}

/// How many leading words do not name the program: assignments
/// (`X=1`) and wrappers that run the rest of the line as a command
/// (`sudo -u app`, `env -u X`, `nice -n 10`, `timeout 300`, `xargs -r`, …)
/// with their options and option values.
fn prefix_len(words: &[&str]) -> usize {
    let mut k = 0;
    while let Some(word) = words.get(k) {
        if is_assignment(word) {
            k += 1;
        } else if let Some(wrapper) = Wrapper::of(word) {
            k += 1 + wrapper.arguments(&words[k + 1..]);
        } else {
            break;
        }
    }
    k
}

/// A command that runs the command after its own arguments.
struct Wrapper {
    /// Options whose value is the next word (`-u` in `sudo -u app`).
    value_options: &'static [&'static str],
    /// Positional arguments before the command (`timeout`'s duration).
    positional: usize,
}

impl Wrapper {
    fn of(word: &str) -> Option<Wrapper> {
        let (value_options, positional): (&'static [&'static str], usize) = match word {
            "sudo" => (
                &[
                    "-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "--user", "--group",
                ],
                0,
            ),
            "env" => (&["-u", "-C", "-S", "--unset", "--chdir"], 0),
            "nice" => (&["-n", "--adjustment"], 0),
            "ionice" => (&["-c", "-n", "-t", "--class", "--classdata"], 0),
            "timeout" => (&["-s", "-k", "--signal", "--kill-after"], 1),
            "xargs" => (
                &[
                    "-a",
                    "-d",
                    "-E",
                    "-I",
                    "-L",
                    "-n",
                    "-P",
                    "-s",
                    "--arg-file",
                    "--delimiter",
                    "--max-args",
                    "--max-procs",
                    "--max-lines",
                    "--max-chars",
                ],
                0,
            ),
            "time" => (&["-f", "-o", "--format", "--output"], 0),
            "stdbuf" => (&["-i", "-o", "-e"], 0),
            "exec" => (&["-a"], 0),
            "command" | "nohup" | "chronic" | "eatmydata" => (&[], 0),
            _ => return None,
        };
        Some(Wrapper {
            value_options,
            positional,
        })
    }

    /// How many of `rest` (the words after the wrapper) are its own
    /// arguments: options, their values, then its positional arguments.
    fn arguments(&self, rest: &[&str]) -> usize {
        let mut k = 0;
        while let Some(word) = rest.get(k) {
            if *word == "--" {
                k += 1;
                break;
            }
            if !word.starts_with('-') || *word == "-" {
                break;
            }
            k += if self.value_options.contains(word) {
                2
            } else {
                1
            };
        }
        (k + self.positional).min(rest.len())
    }
}

/// `NAME=value` with a shell variable name.
fn is_assignment(word: &str) -> bool {
    let Some((name, _)) = word.split_once('=') else {
        return false;
    };
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn base_name(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// Which manager `program` installs with, given its words (program first).
fn manager(program: &str, words: &[&str]) -> Option<Manager> {
    let has = |names: &[&str]| words.iter().any(|w| names.contains(w));
    let m = match program {
        "apt-get" | "apt" | "aptitude" if has(&["install"]) => Manager::Apt,
        "apk" if has(&["add"]) => Manager::Apk,
        "yum" | "dnf" | "microdnf" | "tdnf" if has(&["install"]) => Manager::Yum,
        "zypper" if has(&["install", "in"]) => Manager::Zypper,
        "npm" if has(&["install", "i", "add"]) => Manager::Npm,
        "yarn" | "pnpm" if has(&["add"]) => Manager::Npm,
        "gem" if has(&["install"]) => Manager::Gem,
        "go" if words.get(1) == Some(&"install") => Manager::Go,
        p if versioned(p, "pip") && has(&["install"]) => Manager::Pip,
        p if versioned(p, "python")
            && words.get(1) == Some(&"-m")
            && words.get(2) == Some(&"pip")
            && has(&["install"]) =>
        {
            Manager::Pip
        }
        _ => return None,
    };
    Some(m)
}

/// `pip`, `pip3`, `pip3.12` for `stem` = `pip`.
fn versioned(program: &str, stem: &str) -> bool {
    program
        .strip_prefix(stem)
        .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

impl Manager {
    /// The subcommands that install.
    fn subcommands(self) -> &'static [&'static str] {
        match self {
            Manager::Apt | Manager::Yum | Manager::Pip | Manager::Gem | Manager::Go => &["install"],
            Manager::Apk => &["add"],
            Manager::Zypper => &["install", "in"],
            Manager::Npm => &["install", "i", "add"],
        }
    }

    /// Options that take the next word as their value (so it is no package).
    fn value_options(self) -> &'static [&'static str] {
        match self {
            Manager::Apt => &[
                "-t",
                "--target-release",
                "-c",
                "--config-file",
                "-o",
                "--option",
            ],
            Manager::Apk => &[
                "-t",
                "--virtual",
                "-X",
                "--repository",
                "-p",
                "--root",
                "--arch",
                "--cache-dir",
                "--dir",
            ],
            Manager::Yum => &[
                "-c",
                "--config",
                "--releasever",
                "-x",
                "--exclude",
                "--installroot",
                "--setopt",
                "--repo",
                "--enablerepo",
                "--disablerepo",
            ],
            Manager::Zypper => &["-t", "--type", "-r", "--repo", "-f", "--from"],
            Manager::Pip => &[
                "-r",
                "--requirement",
                "-c",
                "--constraint",
                "-e",
                "--editable",
                "-i",
                "--index-url",
                "--extra-index-url",
                "-f",
                "--find-links",
                "-t",
                "--target",
                "--prefix",
                "--root",
                "--trusted-host",
                "--platform",
                "--python-version",
                "--implementation",
                "--abi",
                "--src",
                "--log",
                "--cache-dir",
                "--progress-bar",
                "--upgrade-strategy",
            ],
            Manager::Npm => &[
                "--registry",
                "--prefix",
                "--cache",
                "-w",
                "--workspace",
                "--tag",
                "--omit",
                "--include",
            ],
            Manager::Gem => &[
                "-v",
                "--version",
                "-i",
                "--install-dir",
                "-n",
                "--bindir",
                "--source",
                "-s",
                "-P",
                "--platform",
            ],
            Manager::Go => &[],
        }
    }
}

/// Indexes (into `words`, program first) of the package arguments: the
/// words after the install subcommand that are neither options nor their
/// values. With nothing else left, the value of a value-taking option is
/// what the user meant (`apt-get install -y -t python`), except for pip,
/// whose option values are files and URLs.
fn packages(words: &[&str], m: Manager) -> Vec<usize> {
    let Some(start) = (1..words.len()).find(|&k| m.subcommands().contains(&words[k])) else {
        return Vec::new();
    };
    let consumed = |k: usize| m.value_options().contains(&words[k - 1]);
    let candidates = |want_consumed: bool| -> Vec<usize> {
        (start + 1..words.len())
            .filter(|&k| !words[k].starts_with('-'))
            .filter(|&k| consumed(k) == want_consumed)
            .filter(|&k| looks_like_package(words[k], m))
            .collect()
    };
    let plain = candidates(false);
    if plain.is_empty() && m != Manager::Pip {
        candidates(true)
    } else {
        plain
    }
}

/// Paths, URLs, archives and variables are not registry packages.
fn looks_like_package(word: &str, m: Manager) -> bool {
    const ARCHIVES: [&str; 8] = [
        ".deb", ".rpm", ".apk", ".whl", ".tar.gz", ".tgz", ".zip", ".gem",
    ];
    let local = ['.', '/', '~', '$'].iter().any(|c| word.starts_with(*c));
    if local || word.contains("://") || ARCHIVES.iter().any(|a| word.ends_with(a)) {
        return false;
    }
    match m {
        Manager::Npm => !word.contains(':') && (word.starts_with('@') || !word.contains('/')),
        Manager::Go => word.contains('@'),
        _ => !word.contains('/'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(words: &[&str]) -> Vec<String> {
        analyse(words)
            .packages
            .into_iter()
            .map(|p| p.name)
            .collect()
    }

    #[test]
    fn prefixes_are_peeled_off() {
        let c = analyse(&[
            "sudo",
            "-E",
            "env",
            "DEBIAN_FRONTEND=noninteractive",
            "/usr/bin/apt-get",
            "install",
            "curl",
        ]);
        assert_eq!(c.skip, 4);
        assert_eq!(c.program.as_deref(), Some("apt-get"));
        assert_eq!(c.manager, Some(Manager::Apt));
        assert_eq!(
            c.packages,
            vec![Package {
                index: 6,
                name: "curl".into(),
                manager: Manager::Apt
            }]
        );
        assert_eq!(analyse(&["env"]).program, None);
        assert_eq!(analyse(&["X=1", "Y=2"]).skip, 2);
        assert_eq!(analyse::<&str>(&[]).program, None);
        assert_eq!(analyse(&["--foo", "x"]).program.as_deref(), Some("--foo"));
        assert_eq!(analyse(&["1X=2", "a"]).program.as_deref(), Some("1X=2"));
    }

    #[test]
    fn wrappers_with_option_values_and_positionals_are_peeled_off() {
        let program = |words: &[&str]| {
            let c = analyse(words);
            (c.skip, c.program)
        };
        let apt = Some("apt-get".to_string());
        assert_eq!(
            program(&["sudo", "-u", "root", "apt-get", "install"]),
            (3, apt.clone())
        );
        assert_eq!(
            program(&["timeout", "300", "apt-get", "install"]),
            (2, apt.clone())
        );
        assert_eq!(
            program(&["timeout", "-k", "5", "60s", "apt-get"]),
            (4, apt.clone())
        );
        assert_eq!(program(&["nice", "-n", "10", "apt-get"]), (3, apt.clone()));
        assert_eq!(program(&["nice", "-10", "apt-get"]), (2, apt.clone()));
        assert_eq!(
            program(&["env", "-u", "HOME", "X=1", "apt-get"]),
            (4, apt.clone())
        );
        assert_eq!(
            program(&["xargs", "-r", "-n", "1", "apt-get"]),
            (4, apt.clone())
        );
        assert_eq!(
            program(&["xargs", "apt-get", "install", "-y"]),
            (1, apt.clone())
        );
        assert_eq!(program(&["sudo", "--", "apt-get"]), (2, apt));
        assert_eq!(program(&["timeout"]), (1, None));
        let c = analyse(&["sudo", "-u", "app", "pip", "install", "flask"]);
        assert_eq!(
            names(&["sudo", "-u", "app", "pip", "install", "flask"]),
            ["flask"]
        );
        assert_eq!(c.packages[0].index, 5);
    }

    #[test]
    fn managers_need_their_install_subcommand() {
        assert_eq!(analyse(&["apt-get", "update"]).manager, None);
        assert_eq!(analyse(&["apk", "add", "x"]).manager, Some(Manager::Apk));
        assert_eq!(
            analyse(&["dnf", "-y", "install", "x"]).manager,
            Some(Manager::Yum)
        );
        assert_eq!(
            analyse(&["zypper", "in", "x"]).manager,
            Some(Manager::Zypper)
        );
        assert_eq!(
            analyse(&["pip3.12", "install", "x"]).manager,
            Some(Manager::Pip)
        );
        assert_eq!(analyse(&["pipx", "install", "x"]).manager, None);
        assert_eq!(
            analyse(&["python3", "-m", "pip", "install", "x"]).manager,
            Some(Manager::Pip)
        );
        assert_eq!(analyse(&["python3", "-m", "venv", "install"]).manager, None);
        assert_eq!(analyse(&["yarn", "add", "x"]).manager, Some(Manager::Npm));
        assert_eq!(analyse(&["yarn", "install"]).manager, None);
        assert_eq!(
            analyse(&["gem", "install", "x"]).manager,
            Some(Manager::Gem)
        );
        assert_eq!(
            analyse(&["go", "install", "x@v1"]).manager,
            Some(Manager::Go)
        );
        assert_eq!(analyse(&["go", "build", "install"]).manager, None);
    }

    #[test]
    fn options_and_their_values_are_not_packages() {
        assert_eq!(
            names(&["apt-get", "install", "-t", "bookworm-backports", "curl"]),
            ["curl"]
        );
        assert_eq!(
            names(&["apt-get", "install", "-y", "-t", "python"]),
            ["python"]
        );
        assert_eq!(
            names(&[
                "apk",
                "add",
                "--no-cache",
                "--virtual",
                ".build-deps",
                "gcc",
                "musl-dev=1.2.5-r0"
            ]),
            ["gcc", "musl-dev=1.2.5-r0"]
        );
        assert!(names(&["pip", "install", "-r", "requirements.txt"]).is_empty());
        assert!(names(&["pip", "install", "-c", "constraints.txt"]).is_empty());
        assert_eq!(
            names(&["gem", "install", "rails", "-v", "7.1.0", "rake"]),
            ["rails", "rake"]
        );
    }

    #[test]
    fn paths_urls_archives_and_variables_are_not_packages() {
        assert!(names(&["apt", "install", "./local.deb"]).is_empty());
        assert!(names(&["apt-get", "install", "/tmp/x.deb", "~/y", "$PKG"]).is_empty());
        assert!(names(&["pip", "install", "./dist/app-1.0-py3-none-any.whl"]).is_empty());
        assert!(names(&["pip", "install", "https://example.com/a.tar.gz"]).is_empty());
        assert!(
            names(&[
                "npm",
                "install",
                "git+ssh://git@github.com:npm/cli#semver:^5.0"
            ])
            .is_empty()
        );
        assert_eq!(
            names(&["npm", "install", "-g", "@angular/cli", "org/repo"]),
            ["@angular/cli"]
        );
        assert_eq!(
            names(&["go", "install", "golang.org/x/tools/gopls@latest", "./cmd"]),
            ["golang.org/x/tools/gopls@latest"]
        );
    }

    #[test]
    fn packages_come_only_after_the_subcommand() {
        assert_eq!(names(&["apt-get", "-y", "install", "curl"]), ["curl"]);
        assert_eq!(
            names(&["apk", "--update", "add", "libstdc++==11.2.1-r2"]),
            ["libstdc++==11.2.1-r2"]
        );
        assert!(names(&["npm", "ci"]).is_empty());
        assert!(names(&["npm", "install"]).is_empty());
    }
}
