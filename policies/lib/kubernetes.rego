# Where Kubernetes objects keep their containers, for every workload kind:
# Pod, PodTemplate, Deployment, StatefulSet, DaemonSet, ReplicaSet,
# ReplicationController, Job, CronJob, and any custom resource with a pod
# template in the same place; and where any object keeps its images
# (`images`, custom resources included).
package driftless.lib.kubernetes

_pod_spec_prefixes := [
	["spec"],
	["template", "spec"],
	["spec", "template", "spec"],
	["spec", "jobTemplate", "spec", "template", "spec"],
]

_container_fields := ["containers", "initContainers", "ephemeralContainers"]

# Each container with the JSON path to it:
# {"path": ["spec", "template", "spec", "containers", 0], "container": {...}}.
# Arrays in input order, not sets: the compiled VM walks a set of objects by
# searching for each next element, comparing whole objects.
containers := containers_in(input)

# containers_in(obj): `containers` of any Kubernetes object, not only the
# input (the objects a Terraform `kubectl_manifest` embeds).
containers_in(obj) := [{"path": path, "container": c} |
	some prefix in _pod_spec_prefixes
	spec := object.get(obj, prefix, null)
	is_object(spec)
	some field in _container_fields
	is_array(spec[field])
	some i, c in spec[field]
	is_object(c)
	path := array.concat(prefix, [field, i])
]

# SSH exposed by an object (SSH003): container ports and Service ports 22
# (or named `ssh`), as {"path": [...], "msg": "..."}.
ssh_exposures(obj) := array.concat(_container_ssh(obj), _service_ssh(obj))

_container_ssh(obj) := [{"path": array.concat(item.path, ["ports", i, "containerPort"]), "msg": msg} |
	some item in containers_in(obj)
	is_array(item.container.ports)
	some i, port in item.container.ports
	port.containerPort in _ssh_ports
	msg := sprintf("container `%s` exposes SSH port 22; containers are replaced, not logged into", [name(item.container)])
]

_service_ssh(obj) := [{"path": ["spec", "ports", i, field], "msg": msg} |
	obj.kind == "Service"
	is_array(obj.spec.ports)
	some i, port in obj.spec.ports
	some field in ["port", "targetPort"]
	port[field] in _ssh_ports
	msg := sprintf("Service `%s` forwards SSH (%s 22)", [object.get(obj, ["metadata", "name"], "(unnamed)"), field])
]

_ssh_ports := {22, "22", "ssh"}

# Where images live in any object, workloads and custom resources alike
# (Argo Rollouts and Workflows, Knative, Tekton, KEDA, operators' `spec.image`,
# ...), by one rule rather than a list of kinds:
#
# - every string under a key named `image`, at any depth;
# - the `reference` string of an object under a key named `image`
#   (Kubernetes image volumes: `volumes[].image.reference`);
#
# except below a `metadata` key (labels, annotations, pod template metadata)
# and below the top-level `status`, `data`, `stringData` and `binaryData`
# (observed state and ConfigMap/Secret payloads are not run), and nowhere in
# a Skaffold `Config` (`apiVersion: skaffold/…`: the images it names are the
# ones it builds and tags). An image
# written under another key (`spec.baseImage`, a workflow parameter) or as a
# `{repository, tag}` object is not seen.
#
# Each image with its reference parsed once per document for every image
# rule (a Rego function call costs far more than a lookup):
# {"path": [..., "image"], "image": "nginx:1.25", "ref": {"registry",
# "repository", "tag", "digest"} or null (not a literal reference),
# "container": the object holding it (a container, a Tekton step, an image
# volume, a resource's `spec`), "name": for messages, the name of the
# nearest enclosing object that has one (the container, the Argo template,
# else the resource's `metadata.name`)}.
images := images_in(input)

# images_in(obj): `images` of any Kubernetes object, not only the input
# (the objects a Terraform `kubectl_manifest` embeds, docs/input-terraform.md);
# paths are relative to obj.
images_in(obj) := [{"path": item.path, "image": item.image, "ref": driftless.parse_image(item.image), "container": holder, "name": _name_for(obj, item.path, holder)} |
	some item in _image_values(obj)
	holder := _holder(obj, item.path)
]

_image_values(obj) := [{"path": path, "image": value} |
	some pair in driftless.find_keys(obj, ["image"])
	not _outside_workload(obj, pair[0])
	some [path, value] in _image_reference(pair[0], pair[1])
]

_image_reference(path, value) := [[path, value]] if is_string(value)

_image_reference(path, value) := [[array.concat(path, ["reference"]), value.reference]] if {
	is_object(value)
	is_string(value.reference)
}

_outside_workload(_, path) if "metadata" in path

_outside_workload(_, path) if path[0] in {"status", "data", "stringData", "binaryData"}

# Build configurations name the images they build, not images a cluster
# pulls: Skaffold's `build.artifacts[].image` is tagged by the build itself
# (with the commit), so it is neither `latest` nor untagged when deployed.
_outside_workload(obj, _) if startswith(obj.apiVersion, "skaffold/")

# The holder's own name (a container's: the common case costs one lookup),
# else the nearest enclosing object's, else the resource's.
_name_for(_, _, holder) := holder.name if is_string(holder.name)

_name_for(obj, path, holder) := _enclosing_name(obj, path, _named_prefixes(obj, path)) if not is_string(holder.name)

_enclosing_name(obj, path, lengths) := object.get(obj, array.concat(array.slice(path, 0, max(lengths)), ["name"]), "") if count(lengths) > 0

_enclosing_name(obj, _, lengths) := obj.metadata.name if {
	count(lengths) == 0
	is_string(obj.metadata.name)
}

_enclosing_name(obj, _, lengths) := "(unnamed)" if {
	count(lengths) == 0
	not is_string(obj.metadata.name)
}

# Lengths of the prefixes of `path` that lead to an object with a string
# `name` (the whole object excluded: that is `metadata.name`'s job).
_named_prefixes(obj, path) := [i |
	some i, _ in path
	i > 0
	is_string(object.get(obj, array.concat(array.slice(path, 0, i), ["name"]), null))
]

# The object an image is written in: its path without the `image` key (and
# `reference`).
_holder(obj, path) := object.get(obj, array.slice(path, 0, _holder_length(path)), {})

_holder_length(path) := count(path) - 2 if path[count(path) - 1] == "reference"

_holder_length(path) := count(path) - 1 if path[count(path) - 1] != "reference"

# The container's name for messages.
name(c) := c.name if is_string(c.name)

name(c) := "(unnamed)" if not is_string(c.name)
