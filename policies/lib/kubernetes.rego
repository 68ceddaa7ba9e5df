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
containers contains {"path": path, "container": c} if {
	some prefix in _pod_spec_prefixes
	spec := object.get(input, prefix, null)
	is_object(spec)
	some field in _container_fields
	is_array(spec[field])
	some i, c in spec[field]
	is_object(c)
	path := array.concat(prefix, [field, i])
}

# Each container image with its reference parsed once per document for
# every image rule (a Rego function call costs far more than a lookup):
# {"path": [..., "image"], "image": "nginx:1.25", "ref": {"registry",
# "repository", "tag", "digest"} or null (not a literal reference),
# "container": {...}}.
images contains {"path": array.concat(item.path, ["image"]), "image": ref, "ref": driftless.parse_image(ref), "container": item.container} if {
	some item in containers
	ref := item.container.image
	is_string(ref)
}

# The container's name for messages.
name(c) := c.name if is_string(c.name)

name(c) := "(unnamed)" if not is_string(c.name)
