# Where a Helm chart (`helm` documents) keeps its images and dependencies,
# for every rule about them. Values documents are
# {"source": "values", "values": ..., "app_version": ...}; chart documents
# {"source": "chart", "chart": ...} (docs/input-helm.md).
package driftless.lib.helm

# Each image in a values file, at any depth, written as a string under a
# key named `image` (`image: "nginx:1.27"`) or as an object under it with a
# string `repository` (`image: {registry, repository, tag, digest}`, the
# common chart shape): {"path": ["values", ..., "image"], "image": the
# reference as Helm would render it, "repository", "tag" (null when empty
# or absent: the chart's `appVersion` then, in most charts), "tag_path",
# "digest" (null when absent), "ref": the parsed reference of a string
# image, else null}.
images := images_in(input.values) if input.source == "values"

images := [] if input.source != "values"

# images_in(values): `images` of any values object, not only a values
# document's (the `values` a Terraform `helm_release` passes,
# docs/input-terraform.md); paths start with "values".
images_in(values) := array.concat(_string_images(values), _object_images(values))

_string_images(values) := [{"path": array.concat(["values"], p), "image": v, "repository": null, "tag": ref.tag, "tag_path": array.concat(["values"], p), "digest": ref.digest, "ref": ref} |
	some [p, v] in driftless.find_keys(values, ["image"])
	is_string(v)
	ref := _parse(v)
]

_parse(image) := parsed if {
	parsed := driftless.parse_image(image)
	parsed != null
}

_parse(image) := {"tag": null, "digest": null, "unparsed": true} if driftless.parse_image(image) == null

_object_images(values) := [{"path": array.concat(["values"], p), "image": _written(v), "repository": v.repository, "tag": _tag(v), "tag_path": _tag_path(p, v), "digest": _digest(v), "ref": null} |
	some [p, v] in driftless.find_keys(values, ["image"])
	is_object(v)
	is_string(v.repository)
	v.repository != ""
]

_tag(v) := v.tag if {
	is_string(v.tag)
	v.tag != ""
}

_tag(v) := format_int(v.tag, 10) if is_number(v.tag)

_tag(v) := null if {
	not is_number(v.tag)
	not _non_empty_string(v.tag)
}

_non_empty_string(s) if {
	is_string(s)
	s != ""
}

_tag_path(p, v) := array.concat(array.concat(["values"], p), ["tag"]) if "tag" in object.keys(v)

_tag_path(p, v) := array.concat(["values"], p) if not "tag" in object.keys(v)

_digest(v) := v.digest if _non_empty_string(v.digest)

_digest(v) := split(v.tag, "@")[1] if {
	not _non_empty_string(v.digest)
	is_string(v.tag)
	contains(v.tag, "@")
}

_digest(v) := null if {
	not _non_empty_string(v.digest)
	not _tag_has_digest(v)
}

_tag_has_digest(v) if {
	is_string(v.tag)
	contains(v.tag, "@")
}

_written(v) := sprintf("%s:%s", [_name(v), _tag(v)]) if _tag(v) != null

_written(v) := _name(v) if _tag(v) == null

_name(v) := sprintf("%s/%s", [v.registry, v.repository]) if _non_empty_string(v.registry)

_name(v) := v.repository if not _non_empty_string(v.registry)

# The tag an image entry resolves to: its own, else the chart's
# `appVersion` (what `{{ .Values.image.tag | default .Chart.AppVersion }}`
# renders), else null.
effective_tag(item) := item.tag if item.tag != null

effective_tag(item) := input.app_version if {
	item.tag == null
	item.ref == null
	is_string(input.app_version)
}

# Each chart dependency: {"path": ["chart", "dependencies", i],
# "dependency": {...}}; local ones (`file://`) are left out.
dependencies := [{"path": ["chart", "dependencies", i], "dependency": d} |
	input.source == "chart"
	some i, d in object.get(input.chart, "dependencies", [])
	is_object(d)
	not startswith(object.get(d, "repository", ""), "file://")
]

# Whether a version constraint is an open range (`^1.2`, `~1.2`, `>=1`,
# `1.x`, `*`, `1.2 - 1.4`, `a || b`) rather than one exact version.
open_range(version) if not regex.match(`^v?[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]*)?$`, version)
