# Where Kubernetes objects keep their containers, for every workload kind:
# Pod, PodTemplate, Deployment, StatefulSet, DaemonSet, ReplicaSet,
# ReplicationController, Job, CronJob, and any custom resource with a pod
# template in the same place.
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
containers := [{"path": path, "container": c} |
	some prefix in _pod_spec_prefixes
	spec := object.get(input, prefix, null)
	is_object(spec)
	some field in _container_fields
	is_array(spec[field])
	some i, c in spec[field]
	is_object(c)
	path := array.concat(prefix, [field, i])
]

# Each container image with its reference parsed once per document for
# every image rule (a Rego function call costs far more than a lookup):
# {"path": [..., "image"], "image": "nginx:1.25", "ref": {"registry",
# "repository", "tag", "digest"} or null (not a literal reference),
# "container": {...}}.
images := [{"path": array.concat(item.path, ["image"]), "image": ref, "ref": driftless.parse_image(ref), "container": item.container} |
	some item in containers
	ref := item.container.image
	is_string(ref)
]

# The container's name for messages.
name(c) := c.name if is_string(c.name)

name(c) := "(unnamed)" if not is_string(c.name)
