# TAG003 (strict): a container image is not pinned by digest.
package driftless.kubernetes.digest_pin

metadata := {"id": "TAG003"}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.kubernetes.images
	data.driftless.lib.image.digest_unproven(item.ref)
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("container `%s` uses image `%s` not pinned by digest; tags can be moved, digests cannot", [item.name, item.image])
}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.kubernetes.images
	item.ref == null
	not contains(item.image, "@sha256:")
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("container `%s` uses image `%s`, which is not a literal reference pinned by digest", [item.name, item.image])
}
