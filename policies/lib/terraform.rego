# Helpers for the Terraform input (one document per module, see
# docs/input-terraform.md).
package driftless.lib.terraform

# blocks(obj, name): the nested blocks `name` of obj as a list, whether the
# source wrote them as blocks (a list), a single object (.tf.json) or not at
# all (empty list).
blocks(obj, name) := obj[name] if is_array(obj[name])

blocks(obj, name) := [obj[name]] if is_object(obj[name])

blocks(obj, name) := [] if not obj[name]

# Resource types whose attributes name container images: these types, and
# every type of the provider families below (`kubernetes_manifest` bodies
# written as HCL objects and Cloud Run v2 services and jobs included).
_image_resource_types := {
	"docker_container",
	"docker_service",
	"aws_ecs_task_definition",
	"aws_lambda_function",
	"aws_apprunner_service",
	"aws_batch_job_definition",
	"google_cloudfunctions2_function",
	"azurerm_container_group",
	"azurerm_container_app",
	"azurerm_container_app_job",
	"azurerm_linux_web_app",
	"azurerm_linux_function_app",
	"azurerm_windows_web_app",
	"azurerm_windows_function_app",
	"aws_sagemaker_model",
}

_image_resource_prefixes := ["kubernetes_", "google_cloud_run_"]

_image_keys := {"image", "image_uri", "image_identifier", "docker_image_name"}

takes_images(type) if type in _image_resource_types

takes_images(type) if {
	some prefix in _image_resource_prefixes
	startswith(type, prefix)
}

# The resource types of this module that take images, from the distinct
# types (a handful) rather than the resources (up to 120,000 in one module).
_image_types := {t | some t in resource_types; takes_images(t)}

# The resources that take images, found once per document; no resource is
# visited when the module declares none of those types (each step of a walk
# over `input.resources` costs tens of instructions on the VM, and a module
# of 120,000 resources ran out of the 5,000,000-instruction budget here).
_image_resources contains i if {
	count(_image_types) > 0
	some i, r in input.resources
	r.type in _image_types
}

# Every container image in a resource (unresolved parts included: the
# parser decides what they hide), with the JSON path of the
# value and its reference parsed once for every image rule:
# {"path": [...], "image": "nginx:latest", "ref": {...} or null, "address": "..."}.
images contains item if {
	some i in _image_resources
	r := input.resources[i]
	some [p, v] in driftless.find_keys(r.config, _image_keys)
	is_string(v)
	item := {"path": array.concat(["resources", i, "config"], p), "image": v, "ref": driftless.parse_image(v), "address": r.address}
}

# docker_image names its image in `name`.
images contains {"path": ["resources", i, "config", "name"], "image": r.config.name, "ref": driftless.parse_image(r.config.name), "address": r.address} if {
	"docker_image" in resource_types
	some i, r in input.resources
	r.type == "docker_image"
	is_string(r.config.name)
}

# The images a resource may use: each known branch of a conditional whose
# condition is not known (`var.env == "prod" ? "app:1.2" : "app:latest"`),
# which the parser lists in `input.alternatives` (docs/input-terraform.md).
# The item is located at the branch and says when it is taken ("when":
# "`var.env == \"prod\"` is false"); the value itself stays the
# conditional's text, one more item without "when".
images contains item if {
	_may_hold_images
	some k, alt in input.alternatives
	alt.path[0] == "resources"
	r := input.resources[alt.path[1]]
	_alternative_image_key(r.type, alt.path[count(alt.path) - 1])
	is_string(alt.value)
	item := {"path": ["alternatives", k, "value"], "image": alt.value, "ref": driftless.parse_image(alt.value), "address": r.address, "when": alt.when}
}

# Only a module with a resource type that takes images has alternatives
# that may be images: most modules' alternatives are not walked.
_may_hold_images if count(_image_types) > 0

_may_hold_images if "docker_image" in resource_types

_alternative_image_key(type, key) if {
	type in _image_types
	key in _image_keys
}

_alternative_image_key(type, key) if {
	type == "docker_image"
	key == "name"
}

# alternatives_under(prefix): the alternatives of values under the input
# path `prefix` (a block or a resource's config), as
# {"path": the alternative's own path (its branch), "key": the value's
# path below prefix, "value", "when"}. Rules replace those values in a copy
# of the block (see `variant`) to decide what the block may do.
alternatives_under(prefix) := [{"path": ["alternatives", k, "value"], "key": array.slice(alt.path, count(prefix), count(alt.path)), "value": alt.value, "when": alt.when} |
	some k, alt in input.alternatives
	array.slice(alt.path, 0, count(prefix)) == prefix
	count(alt.path) > count(prefix)
]

# variant(obj, alts, when): obj with every top-level attribute that has an
# alternative taken `when` replaced by it (`from_port` and `to_port` both
# written `var.open ? 22 : 443` take 22 together).
variant(obj, alts, when) := object.union(obj, {a.key[0]: a.value |
	some a in alts
	a.when == when
	count(a.key) == 1
})

# ECS/Batch container definitions written as a JSON string (heredoc or
# literal) are decoded here; findings point at the attribute.
images contains {"path": ["resources", i, "config", attr], "image": c.image, "ref": driftless.parse_image(c.image), "address": r.address} if {
	some i in _image_resources
	r := input.resources[i]
	some attr in ["container_definitions", "container_properties"]
	defs := r.config[attr]
	is_string(defs)
	json.is_valid(defs)
	decoded := json.unmarshal(defs)
	some c in _as_list(decoded)
	is_string(c.image)
}

# The Kubernetes objects `kubectl_manifest` resources embed (their
# `manifests`, decoded from `yaml_body`; `all_manifests` adds
# `kubernetes_manifest` objects), for the rules that judge them as
# the Kubernetes rules judge manifest files:
# {"path": ["resources", i, "manifests", k], "manifest": {...}, "address": ...}.
# An array, not a set: the compiled VM walks a set of objects by comparing
# whole objects.
manifests := [{"path": ["resources", i, "manifests", k], "manifest": manifest, "address": r.address} |
	"kubectl_manifest" in resource_types
	some i, r in input.resources
	r.type == "kubectl_manifest"
	some k, manifest in r.manifests
]

# A `kubernetes_manifest`'s `manifest` (an HCL object, or `yamldecode(…)`)
# is one such object; its images are also among the images every
# `kubernetes_*` resource has, at the same paths (one item each).
manifests_hcl := [{"path": ["resources", i, "config", "manifest"], "manifest": r.config.manifest, "address": r.address} |
	"kubernetes_manifest" in resource_types
	some i, r in input.resources
	r.type == "kubernetes_manifest"
	is_object(r.config.manifest)
]

all_manifests := array.concat(manifests, manifests_hcl)

# Images in those objects, found where the Kubernetes rules find them in
# manifest files (lib.kubernetes.images_in).
images contains {"path": array.concat(item.path, img.path), "image": img.image, "ref": img.ref, "address": item.address} if {
	some item in all_manifests
	some img in data.driftless.lib.kubernetes.images_in(item.manifest)
}

# Images a `helm_release` writes as strings in its `values` (its
# `helm_values`, decoded), found where the Helm rules find them in values
# files (lib.helm.images_in); `{repository, tag}` objects are
# `helm_image_tags`.
images contains {"path": array.concat(["resources", i, "helm_values", k], array.slice(img.path, 1, count(img.path))), "image": img.image, "ref": img.ref, "address": r.address} if {
	some [i, k, r, values] in _helm_values
	some img in data.driftless.lib.helm.images_in(values)
	not img.ref.unparsed
}

_helm_values contains [i, k, r, values] if {
	"helm_release" in resource_types
	some i, r in input.resources
	r.type == "helm_release"
	some k, values in r.helm_values
}

_as_list(x) := x if is_array(x)

_as_list(x) := [x] if is_object(x)

# Container objects of kubernetes_* resources, written as blocks or as
# attribute lists/objects: {"path": [...], "container": {...}, "address": ...}.
kube_containers contains {"path": path, "container": c, "address": r.address} if {
	some i in _image_resources
	r := input.resources[i]
	startswith(r.type, "kubernetes_")
	some [p, v] in driftless.find_keys(r.config, {"container", "init_container"})
	some suffix, c in _indexed(v)
	path := array.concat(array.concat(["resources", i, "config"], p), suffix)
}

_indexed(v) := {[k]: c | some k, c in v; is_object(c)} if is_array(v)

_indexed(v) := {[]: v} if is_object(v)

# The resource types the module declares, once per document: rules test
# `"aws_security_group_rule" in resource_types` before walking
# `input.resources`, which most modules would walk for nothing (on the
# compiled VM each step of such a walk costs thousands of instructions).
resource_types := {r.type | some r in input.resources}

# Image tags a `helm_release` sets through `set`/`set_string` entries whose
# name is an image's tag (`image.tag`, `controller.image.tag`, `imageTag`):
# {"path": [... "value"], "name": "image.tag", "tag": "latest", "address": ...}.
# Tags written in `values` (`helm_values`, decoded: `image: {tag: latest}`,
# `controller.image.tag`, `imageTag`) are found by the same names.
helm_image_tags contains {"path": ["resources", i, "config", attr, j, "value"], "name": s.name, "tag": s.value, "address": r.address} if {
	"helm_release" in resource_types
	some i, r in input.resources
	r.type == "helm_release"
	some attr in ["set", "set_string"]
	some j, s in blocks(r.config, attr)
	is_string(s.name)
	is_string(s.value)
	_image_tag_name(lower(s.name))
}

# A tag a `set` entry's value may take: a known branch of a conditional
# whose condition is not known (`value = var.prod ? "1.4.2" : "latest"`),
# located at the branch, with "when".
helm_image_tags contains {"path": ["alternatives", k, "value"], "name": s.name, "tag": alt.value, "address": r.address, "when": alt.when} if {
	"helm_release" in resource_types
	some k, alt in input.alternatives
	count(alt.path) == 6
	alt.path[0] == "resources"
	alt.path[5] == "value"
	r := input.resources[alt.path[1]]
	r.type == "helm_release"
	alt.path[3] in {"set", "set_string"}
	s := blocks(r.config, alt.path[3])[alt.path[4]]
	is_string(s.name)
	is_string(alt.value)
	_image_tag_name(lower(s.name))
}

helm_image_tags contains {"path": array.concat(["resources", i, "helm_values", k], p), "name": name, "tag": tag, "address": r.address} if {
	some [i, k, r, values] in _helm_values
	some [p, tag] in driftless.find_keys(values, ["tag", "imageTag", "image_tag"])
	is_string(tag)
	name := concat(".", [s | some s in p; is_string(s)])
	_image_tag_name(lower(name))
}

_image_tag_name(name) if {
	parts := split(name, ".")
	count(parts) > 1
	parts[count(parts) - 1] == "tag"
	contains(parts[count(parts) - 2], "image")
}

_image_tag_name(name) if {
	some suffix in ["imagetag", "image_tag"]
	endswith(name, suffix)
}

# "uses", or "may use" for an image a conditional may take (an item of
# `images` with "when"): "aws_ecs_task_definition.app may use image …".
uses(item) := "uses" if not item.when

uses(item) := "may use" if item.when

# "sets", or "may set" for a Helm value a conditional may take.
sets(item) := "sets" if not item.when

sets(item) := "may set" if item.when

# ", when `var.env == "prod"` is false" for an item a conditional may take;
# empty otherwise.
when(item) := sprintf(", when %s", [item.when]) if item.when

when(item) := "" if not item.when
