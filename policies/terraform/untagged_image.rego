# TAG002: a container image in a Terraform resource has no tag or digest
# (or may have none: a known branch of a conditional whose condition is
# not known).
package driftless.terraform.untagged_image

metadata := {"id": "TAG002"}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.terraform.images
	item.ref.tag == null
	item.ref.digest == null
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("%s %s image `%s` without a tag or digest, which means `latest`%s", [item.address, data.driftless.lib.terraform.uses(item), item.image, data.driftless.lib.terraform.when(item)])
}

# A reference with a malformed digest (`nginx@sha256:abc`) pins nothing: the
# runtime refuses to pull it.
deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.terraform.images
	item.ref == null
	data.driftless.lib.image.malformed(item.image)
	msg := sprintf("%s %s `%s`, which is not a valid image reference (malformed digest): it pins nothing and the runtime refuses it%s", [item.address, data.driftless.lib.terraform.uses(item), item.image, data.driftless.lib.terraform.when(item)])
}

# A Kubernetes container with an empty or missing image runs whatever the
# runtime defaults to: no tag at all.
deny contains {"msg": msg, "path": array.concat(item.path, ["image"])} if {
	some item in data.driftless.lib.terraform.kube_containers
	not _has_image(item.container)
	msg := sprintf("%s has a container without an image reference", [item.address])
}

_has_image(c) if {
	is_string(c.image)
	c.image != ""
}
