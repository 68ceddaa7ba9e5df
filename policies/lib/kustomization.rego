# What a Kustomize overlay (`kustomization` documents) says about images and
# remote sources, for every rule about them.
package driftless.lib.kustomization

# Each entry of the `images` transformer, with the image it sets parsed
# once: {"path": ["images", i], "entry": {...}, "name": "web" (the image
# replaced), "new_name": parsed `newName` or null, "tag": `newTag` or null,
# "digest": `digest` or null}. An entry with a `digest` pins the image; one
# with `newTag` sets the tag; one with only `newName` keeps whatever tag
# `newName` carries.
images := [{"path": ["images", i], "entry": entry, "name": object.get(entry, "name", "(unnamed)"), "new_name": _parsed_new_name(entry), "tag": _string(entry, "newTag"), "digest": _string(entry, "digest")} |
	some i, entry in object.get(input, "images", [])
	is_object(entry)
]

_string(entry, key) := entry[key] if {
	is_string(entry[key])
	entry[key] != ""
}

_string(entry, key) := null if not is_string(entry[key])

_string(entry, key) := null if entry[key] == ""

_parsed_new_name(entry) := driftless.parse_image(entry.newName) if is_string(entry.newName)

_parsed_new_name(entry) := null if not is_string(entry.newName)

# Each remote entry of `resources` and `components` (what `kustomize build`
# fetches over the network): {"path": ["resources", i], "source": "...",
# "ref": the `?ref=`/`?version=` value or null}. Local paths (`../base`,
# `deployment.yaml`) are not listed. Remote: a URL (`https://`, `ssh://`,
# `git::`, `git@`), or a first path segment that is a host name
# (`github.com/org/repo//deploy?ref=v1.2.0`).
#
# A URL to one manifest file (`https://…/manifests.yaml`, which kustomize
# downloads as is) has no `?ref=`: its ref is the release tag of a GitHub
# release asset (`…/releases/download/v0.12.3/…`), the branch or commit of a
# `raw.githubusercontent.com` URL, or a full commit SHA in its path; else
# null. Such entries carry `"file": true`.
remote_sources := [{"path": [field, i], "source": source, "ref": ref, "file": file} |
	some field in ["resources", "components"]
	some i, source in object.get(input, field, [])
	is_string(source)
	_remote(source)
	file := _is_file(source)
	ref := _source_ref(source)
]

_remote_file(source) if {
	regex.match(`^https?://`, source)
	path := lower(split(source, "?")[0])
	some ext in [".yaml", ".yml", ".json"]
	endswith(path, ext)
}

_is_file(source) := true if _remote_file(source)

_is_file(source) := false if not _remote_file(source)

_source_ref(source) := _ref(source) if not _remote_file(source)

_source_ref(source) := _file_ref(split(source, "?")[0]) if _remote_file(source)

# The release tag, the raw URL's branch or commit, or a commit SHA in the
# path (the first that applies), else null.
_file_ref(url) := refs[0] if {
	refs := array.concat(array.concat(_release_tag(url), _raw_ref(url)), _sha_segments(url))
	count(refs) > 0
}

_file_ref(url) := null if {
	count(array.concat(array.concat(_release_tag(url), _raw_ref(url)), _sha_segments(url))) == 0
}

_release_tag(url) := [split(parts[1], "/")[0] |
	parts := split(url, "/releases/download/")
	count(parts) == 2
]

_raw_ref(url) := [split(url, "/")[5] |
	startswith(url, "https://raw.githubusercontent.com/")
	count(split(url, "/")) > 6
]

_sha_segments(url) := [segment |
	some segment in split(url, "/")
	regex.match(`^[0-9a-f]{40}$`, segment)
]

_remote(source) if contains(source, "://")

_remote(source) if startswith(source, "git@")

_remote(source) if startswith(source, "git::")

_remote(source) if {
	parts := split(source, "/")
	count(parts) > 2
	contains(parts[0], ".")
	not parts[0] in {".", ".."}
}

_ref(source) := value if {
	query := split(source, "?")[1]
	some pair in split(query, "&")
	some key in ["ref=", "version="]
	startswith(pair, key)
	value := substring(pair, count(key), -1)
	value != ""
}

_ref(source) := null if not _has_ref(source)

_has_ref(source) if {
	query := split(source, "?")[1]
	some pair in split(query, "&")
	some key in ["ref=", "version="]
	startswith(pair, key)
	pair != key
}

# Refs that name a branch by convention: they move with every push.
branch_refs := {"main", "master", "develop", "development", "dev", "trunk", "HEAD", "latest", "stable"}
