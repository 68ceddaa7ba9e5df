# TAG003 (strict): a container image in a Terraform resource is pinned by
# tag but not by digest.
package driftless.terraform.digest_pin

metadata := {"id": "TAG003"}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.terraform.images
	# the conditional as a whole is unproven already: one finding, not
	# one more per branch
	not item.when
	data.driftless.lib.image.digest_unproven(item.ref)
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("%s uses image `%s` not pinned by digest; tags can be moved, digests cannot", [item.address, item.image])
}

deny contains {"msg": msg, "path": array.concat(item.path, ["image"])} if {
	some item in data.driftless.lib.terraform.kube_containers
	not _has_image(item.container)
	msg := sprintf("%s has a container without an image, so nothing pins it by digest", [item.address])
}

_has_image(c) if {
	is_string(c.image)
	c.image != ""
}
