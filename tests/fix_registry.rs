//! The registry client of `driftless scan --fix` (issue #18) against a real
//! OCI registry on loopback (Debian's `docker-registry`, the CNCF
//! distribution server), with images pushed by the test through the API.
//! No internet: every registry, token realm and mirror is 127.0.0.1.

#![cfg(unix)]

#[path = "common/registry.rs"]
mod registry;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use driftless::fix::registry::{Limits, Pinned, RegistryOptions, ResolveError, Resolver};
use registry::{Auth, Registry};

/// A resolver with default options.
fn resolver() -> Resolver {
    Resolver::new(RegistryOptions::default())
}

fn pin(resolver: &Resolver, reference: &str) -> Pinned {
    resolver
        .pin(reference)
        .unwrap_or_else(|e| panic!("{reference}: {e}"))
}

fn pin_error(resolver: &Resolver, reference: &str) -> ResolveError {
    match resolver.pin(reference) {
        Ok(pinned) => panic!("{reference} pinned to {pinned:?}, expected an error"),
        Err(e) => e,
    }
}

/// `app`: `latest`, `1.27.3`, `1.27` and `1` share one image; `1.26` and
/// `1.27.3-alpine` are others.
fn push_app(reg: &Registry) -> (String, String) {
    let current = reg.push_image("app", &["1", "1.27", "1.27.3", "latest"], "1.27.3");
    let old = reg.push_image("app", &["1.26"], "1.26");
    reg.push_image("app", &["1.27.3-alpine", "alpine"], "alpine");
    (current.digest, old.digest)
}

#[test]
fn latest_and_no_tag_pin_to_the_most_specific_version_sharing_the_digest() {
    let Some(reg) = registry::start_or_skip("latest_and_no_tag", Auth::None) else {
        return;
    };
    let (current, _) = push_app(&reg);
    let resolver = resolver();
    for written in [
        format!("{}/app:latest", reg.host),
        format!("{}/app", reg.host),
    ] {
        let pinned = pin(&resolver, &written);
        assert_eq!(
            pinned.reference,
            format!("{}/app:1.27.3@{current}", reg.host)
        );
        assert_eq!(
            (pinned.tag.as_str(), pinned.digest.as_str()),
            ("1.27.3", current.as_str())
        );
        assert!(
            pinned.note.contains("`latest` is 1.27.3"),
            "{}",
            pinned.note
        );
    }
    let alpine = pin(&resolver, &format!("{}/app:alpine", reg.host));
    assert_eq!(alpine.tag, "1.27.3-alpine", "{alpine:?}");
}

#[test]
fn a_version_tag_gets_its_digest_and_a_given_digest_is_kept() {
    let Some(reg) = registry::start_or_skip("version_tag", Auth::None) else {
        return;
    };
    let (current, old) = push_app(&reg);
    let resolver = resolver();
    let pinned = pin(&resolver, &format!("{}/app:1.26", reg.host));
    assert_eq!(pinned.reference, format!("{}/app:1.26@{old}", reg.host));

    // Already pinned: the digest is what is deployed, even if the tag moved.
    let moved = pin(&resolver, &format!("{}/app:1.27@{old}", reg.host));
    assert_eq!(moved.reference, format!("{}/app:1.27@{old}", reg.host));
    assert!(
        moved.note.starts_with("kept the digest as written"),
        "{}",
        moved.note
    );
    let latest = pin(&resolver, &format!("{}/app:latest@{current}", reg.host));
    assert_eq!(
        latest.reference,
        format!("{}/app:1.27.3@{current}", reg.host)
    );

    // A GET (the body is needed for the platform) also names the
    // registry's own error code.
    let amd64 = Resolver::new(RegistryOptions {
        platform: Some("linux/amd64".into()),
        ..RegistryOptions::default()
    });
    let error = pin_error(&amd64, &format!("{}/app:9.9", reg.host));
    assert!(
        error.0.contains(
            "GET /v2/app/manifests/9.9: 404 Not Found (MANIFEST_UNKNOWN: manifest unknown)"
        ),
        "{error}"
    );

    let unknown_digest = format!("sha256:{}", "0".repeat(64));
    let error = pin_error(
        &resolver,
        &format!("{}/app:1.27@{unknown_digest}", reg.host),
    );
    assert!(error.0.contains("404"), "{error}");
    let error = pin_error(&resolver, &format!("{}/app:9.9", reg.host));
    assert!(
        error.0.contains(&format!("`{}/app:9.9`", reg.host))
            && error
                .0
                .contains("HEAD /v2/app/manifests/9.9: 404 Not Found"),
        "{error}"
    );
}

#[test]
fn a_floating_tag_without_a_version_sibling_is_pinned_by_digest_and_says_so() {
    let Some(reg) = registry::start_or_skip("no_version_sibling", Auth::None) else {
        return;
    };
    let solo = reg.push_image("solo", &["latest", "edge"], "solo");
    reg.push_image("solo", &["2.0", "1.0"], "older");
    let pinned = pin(&resolver(), &format!("{}/solo", reg.host));
    assert_eq!(
        pinned.reference,
        format!("{}/solo:latest@{}", reg.host, solo.digest)
    );
    assert!(
        pinned
            .note
            .contains("no version tag shares `latest`'s digest (2 of 2 candidate tags checked)"),
        "{}",
        pinned.note
    );
}

#[test]
fn multi_platform_indexes_are_pinned_by_the_index_digest_and_checked_for_the_platform() {
    let Some(reg) = registry::start_or_skip("multi_platform", Auth::None) else {
        return;
    };
    let platforms = [("linux", "amd64"), ("linux", "arm64")];
    let oci = reg.push_index("multi", &["latest", "3.1.4"], &platforms, false);
    let docker = reg.push_index("list", &["latest", "5.0"], &platforms, true);
    let single = reg.push_platform_image("single", &["1.0"], "single", ("linux", "amd64"), true);

    let any = resolver();
    assert_eq!(
        pin(&any, &format!("{}/multi", reg.host)).reference,
        format!("{}/multi:3.1.4@{}", reg.host, oci.digest)
    );
    assert_eq!(
        pin(&any, &format!("{}/list:latest", reg.host)).reference,
        format!("{}/list:5.0@{}", reg.host, docker.digest)
    );
    assert_eq!(
        pin(&any, &format!("{}/single:1.0", reg.host)).digest,
        single.digest
    );

    let arm = Resolver::new(RegistryOptions {
        platform: Some("linux/arm64".into()),
        ..RegistryOptions::default()
    });
    assert_eq!(pin(&arm, &format!("{}/multi", reg.host)).digest, oci.digest);
    assert_eq!(
        pin(&arm, &format!("{}/list:5.0", reg.host)).digest,
        docker.digest
    );
    let error = pin_error(&arm, &format!("{}/single:1.0", reg.host));
    assert!(
        error.0.contains("no platform linux/arm64") && error.0.contains("linux/amd64"),
        "{error}"
    );

    let windows = Resolver::new(RegistryOptions {
        platform: Some("windows/amd64".into()),
        ..RegistryOptions::default()
    });
    let error = pin_error(&windows, &format!("{}/multi:latest", reg.host));
    assert!(
        error
            .0
            .contains("no platform windows/amd64 (it has: linux/amd64, linux/arm64)"),
        "{error}"
    );
}

#[test]
fn the_tag_list_is_followed_page_by_page_and_bounded() {
    let Some(reg) = registry::start_or_skip("tag_pagination", Auth::None) else {
        return;
    };
    let other = reg.push_image("paged", &["a0"], "other");
    let names: Vec<String> = (1..10).map(|i| format!("a{i}")).collect();
    reg.tag(
        "paged",
        &names.iter().map(String::as_str).collect::<Vec<_>>(),
        &other,
    );
    let current = reg.push_image("paged", &["latest", "v9.9.9"], "current");
    // The distribution server 2.8 returns every tag at once; the front pages
    // them as the spec says, so `v9.9.9` is on the last of 4 pages of 3.
    let (front, pages) = reg.paginating_front();
    let paged = |max_tags, max_manifests| {
        resolver().with_limits(Limits {
            max_tags,
            max_manifests,
            page_size: Some(3),
        })
    };
    let pinned = pin(&paged(100, 10), &format!("{front}/paged"));
    assert_eq!(
        pinned.reference,
        format!("{front}/paged:v9.9.9@{}", current.digest)
    );
    assert_eq!(pages.load(std::sync::atomic::Ordering::SeqCst), 4);

    let cut = pin(&paged(5, 10), &format!("{front}/paged"));
    assert_eq!(cut.tag, "latest");
    assert!(
        cut.note.contains("the tag list was cut at 5 tags"),
        "{}",
        cut.note
    );
    assert_eq!(
        pages.load(std::sync::atomic::Ordering::SeqCst),
        6,
        "two pages for 5 tags"
    );

    // Candidates beyond the manifest cap are not fetched, and the note says so.
    reg.push_image("capped", &["3.0"], "three");
    reg.push_image("capped", &["2.0"], "two");
    let one = reg.push_image("capped", &["1.0", "latest"], "one");
    let capped = pin(&paged(100, 2), &format!("{}/capped", reg.host));
    assert_eq!(
        capped.reference,
        format!("{}/capped:latest@{}", reg.host, one.digest)
    );
    assert!(
        capped.note.contains("2 of 3 candidate tags checked")
            && capped.note.contains("cap of 2 manifests"),
        "{}",
        capped.note
    );
}

/// Writes `config.json` into `dir`.
fn docker_config(dir: &Path, config: serde_json::Value) {
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::write(dir.join("config.json"), config.to_string()).expect("config.json");
}

#[test]
fn basic_auth_uses_the_docker_config_credentials() {
    let auth = Auth::Htpasswd {
        user: "ci".into(),
        password: "s3cret".into(),
    };
    let Some(reg) = registry::start_or_skip("basic_auth", auth) else {
        return;
    };
    let image = reg.push_image("private", &["latest", "2.1.0"], "private");
    let reference = format!("{}/private", reg.host);

    let anonymous = resolver().with_credentials(Some(reg.dir().join("empty")), None);
    let error = pin_error(&anonymous, &reference);
    assert!(
        error
            .0
            .contains("asks for credentials and none are configured"),
        "{error}"
    );

    let with_auth = reg.dir().join("docker-auth");
    docker_config(
        &with_auth,
        serde_json::json!({"auths": {reg.host.clone(): {"auth": "Y2k6czNjcmV0"}}}),
    );
    let pinned = pin(
        &resolver().with_credentials(Some(with_auth), None),
        &reference,
    );
    assert_eq!(
        pinned.reference,
        format!("{reference}:2.1.0@{}", image.digest)
    );

    let with_fields = reg.dir().join("docker-fields");
    docker_config(
        &with_fields,
        serde_json::json!({"auths": {format!("http://{}", reg.host): {"username": "ci", "password": "wrong"}}}),
    );
    let error = pin_error(
        &resolver().with_credentials(Some(with_fields), None),
        &reference,
    );
    assert!(error.0.contains("401 Unauthorized"), "{error}");
}

#[test]
fn credential_helpers_answer_for_their_host() {
    let auth = Auth::Htpasswd {
        user: "helper-user".into(),
        password: "helper-pass".into(),
    };
    let Some(reg) = registry::start_or_skip("credential_helper", auth) else {
        return;
    };
    let image = reg.push_image("team/app", &["latest", "0.3.0"], "team");
    let bin = reg.dir().join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let helper = bin.join("docker-credential-test");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 2\nread host\n\
[ \"$host\" = \"{}\" ] || {{ echo 'credentials not found in native keychain'; exit 1; }}\n\
echo '{{\"ServerURL\":\"'\"$host\"'\",\"Username\":\"helper-user\",\"Secret\":\"helper-pass\"}}'\n",
            reg.host
        ),
    )
    .expect("helper");
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = std::env::join_paths([bin.as_path(), Path::new("/usr/bin"), Path::new("/bin")])
        .expect("PATH");
    let reference = format!("{}/team/app:latest", reg.host);
    let expected = format!("{}/team/app:0.3.0@{}", reg.host, image.digest);

    for (name, config) in [
        (
            "per-host",
            serde_json::json!({"credHelpers": {reg.host.clone(): "test"}}),
        ),
        (
            "store",
            serde_json::json!({"credsStore": "test", "auths": {reg.host.clone(): {}}}),
        ),
    ] {
        let dir = reg.dir().join(name);
        docker_config(&dir, config);
        let resolver = resolver().with_credentials(Some(dir), Some(path.clone()));
        assert_eq!(pin(&resolver, &reference).reference, expected, "{name}");
    }

    let slow = bin.join("docker-credential-slow");
    std::fs::write(&slow, "#!/bin/sh\nexec sleep 30\n").expect("slow helper");
    std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let dir = reg.dir().join("slow-helper");
    docker_config(&dir, serde_json::json!({"credsStore": "slow"}));
    let impatient = Resolver::new(RegistryOptions {
        timeout: Some(Duration::from_millis(500)),
        ..RegistryOptions::default()
    })
    .with_credentials(Some(dir), Some(path.clone()));
    let error = pin_error(&impatient, &reference);
    assert!(
        error
            .0
            .contains("docker-credential-slow` did not answer within 500 ms"),
        "{error}"
    );

    let dir = reg.dir().join("missing-helper");
    docker_config(
        &dir,
        serde_json::json!({"credHelpers": {reg.host.clone(): "absent"}}),
    );
    let error = pin_error(
        &resolver().with_credentials(Some(dir), Some(path)),
        &reference,
    );
    assert!(error.0.contains("docker-credential-absent"), "{error}");
}

#[test]
fn the_bearer_token_flow_gets_a_token_from_the_realm_and_reuses_it() {
    let Some(reg) = registry::start_or_skip("token_anonymous", Auth::Token { user: None }) else {
        return;
    };
    let image = reg.push_image("public/app", &["latest", "4.2.0", "4.2", "4.1.0"], "public");
    let pinned = pin(&resolver(), &format!("{}/public/app", reg.host));
    assert_eq!(
        pinned.reference,
        format!("{}/public/app:4.2.0@{}", reg.host, image.digest)
    );
    let requests = reg.token_requests.lock().unwrap().clone();
    assert_eq!(
        requests,
        vec![String::new()],
        "one anonymous token for the whole resolution"
    );
}

#[test]
fn basic_credentials_are_sent_to_the_token_realm_when_it_asks() {
    let user = Some(("robot".to_owned(), "t0ken".to_owned()));
    let Some(reg) = registry::start_or_skip("token_with_credentials", Auth::Token { user }) else {
        return;
    };
    let image = reg.push_image("private/app", &["1.0.0"], "private");
    let reference = format!("{}/private/app:1.0.0", reg.host);

    let error = pin_error(
        &resolver().with_credentials(Some(reg.dir().join("none")), None),
        &reference,
    );
    assert!(
        error.0.contains("token service") && error.0.contains("401"),
        "{error}"
    );

    let dir = reg.dir().join("docker");
    docker_config(
        &dir,
        serde_json::json!({"auths": {reg.host.clone(): {"username": "robot", "password": "t0ken"}}}),
    );
    let pinned = pin(&resolver().with_credentials(Some(dir), None), &reference);
    assert_eq!(pinned.reference, format!("{reference}@{}", image.digest));
    let requests = reg.token_requests.lock().unwrap().clone();
    assert_eq!(requests.last(), Some(&registry::basic("robot", "t0ken")));
}

#[test]
fn a_mirror_answers_for_docker_hub_and_the_written_spelling_is_kept() {
    let Some(reg) = registry::start_or_skip("mirror", Auth::None) else {
        return;
    };
    let image = reg.push_image("library/nginx", &["latest", "1.27.3", "1.27"], "nginx");
    let resolver = Resolver::new(RegistryOptions {
        mirrors: vec![("docker.io".into(), reg.url.clone())],
        ..RegistryOptions::default()
    });
    for written in [
        "nginx",
        "nginx:latest",
        "library/nginx",
        "docker.io/library/nginx:latest",
        "index.docker.io/nginx",
    ] {
        let name = written.split(':').next().unwrap();
        assert_eq!(
            pin(&resolver, written).reference,
            format!("{name}:1.27.3@{}", image.digest),
            "{written}"
        );
    }
}

#[test]
fn results_are_cached_for_the_run() {
    let Some(reg) = registry::start_or_skip("cache", Auth::None) else {
        return;
    };
    let image = reg.push_image("cached", &["latest", "7.0.1"], "cached");
    let resolver = resolver();
    let reference = format!("{}/cached", reg.host);
    let first = pin(&resolver, &reference);
    drop(reg);
    assert_eq!(pin(&resolver, &format!("{reference}:latest")), first);
    assert_eq!(first.digest, image.digest);
}

#[test]
fn a_registry_that_is_down_gives_an_error_naming_reference_and_registry() {
    let port = registry::free_port();
    let reference = format!("127.0.0.1:{port}/app:1.0");
    let error = pin_error(&resolver(), &reference);
    assert!(
        error.0.contains(&format!("`{reference}`"))
            && error.0.contains(&format!(
                "registry 127.0.0.1:{port} (http://127.0.0.1:{port})"
            )),
        "{error}"
    );
    assert!(error.0.to_lowercase().contains("connect"), "{error}");
}

/// A loopback server answering every request with `status`, `headers` and
/// `body`; returns its base URL.
fn fake_registry(status: &'static str, headers: &'static str, body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 2 {
                line.clear();
            }
            let head = format!(
                "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    url
}

#[test]
fn malformed_answers_are_errors_not_panics() {
    let json = "Content-Type: application/vnd.oci.image.manifest.v1+json\r\n";
    let wrong_digest = format!("{json}Docker-Content-Digest: sha256:{}\r\n", "1".repeat(64)).leak();
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "digest",
            fake_registry("200 OK", wrong_digest, b"{}".to_vec()),
            "does not match the body",
        ),
        (
            "size",
            fake_registry("200 OK", json, vec![b' '; 5 << 20]),
            "limit 4194304 bytes",
        ),
        (
            "challenge",
            fake_registry(
                "401 Unauthorized",
                "WWW-Authenticate: Negotiate\r\n",
                vec![],
            ),
            "without a supported challenge",
        ),
        (
            "tags",
            fake_registry("200 OK", json, b"not json".to_vec()),
            "not JSON",
        ),
        (
            "endless",
            fake_registry(
                "200 OK",
                "Content-Type: application/json\r\nLink: </v2/app/tags/list?n=1&last=x>; rel=\"next\"\r\n",
                br#"{"tags":[]}"#.to_vec(),
            ),
            "an empty page of the tag list links to another",
        ),
        (
            "other-digest",
            fake_registry("200 OK", wrong_digest, b"{}".to_vec()),
            "the registry answered for sha256:1111",
        ),
    ];
    for (name, url, expected) in cases {
        let host = url.trim_start_matches("http://");
        // A platform makes the manifest be read (GET), not only HEAD.
        let platform = (name == "digest").then(|| "linux/amd64".to_owned());
        let resolver = Resolver::new(RegistryOptions {
            platform,
            ..RegistryOptions::default()
        })
        .with_credentials(Some(Path::new("/nonexistent").into()), None);
        let reference = match name {
            "tags" | "endless" => format!("{host}/app"),
            "other-digest" => format!("{host}/app:1.0@sha256:{}", "2".repeat(64)),
            _ => format!("{host}/app:1.0"),
        };
        // For `tags` and `endless` the manifest (the same body) has a digest
        // all the same; the floating tag then needs the tag list, which fails.
        let error = pin_error(&resolver, &reference);
        assert!(error.0.contains(expected), "{name}: {error}");
    }
}

#[test]
fn timeouts_bound_each_request() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let host = listener.local_addr().expect("addr").to_string();
    let _hold = std::thread::spawn(move || {
        let accepted: Vec<_> = listener.incoming().take(1).flatten().collect();
        std::thread::sleep(Duration::from_secs(5));
        drop(accepted);
    });
    let resolver = Resolver::new(RegistryOptions {
        timeout: Some(Duration::from_millis(300)),
        ..RegistryOptions::default()
    });
    let error = pin_error(&resolver, &format!("{host}/app:1.0"));
    assert!(
        error.0.to_lowercase().contains("timeout") || error.0.to_lowercase().contains("timed out"),
        "{error}"
    );
}
