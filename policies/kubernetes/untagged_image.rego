# TAG002: a container image has neither tag nor digest (implicitly `latest`).
package driftless.kubernetes.untagged_image

metadata := {"id": "TAG002"}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.kubernetes.images
	item.ref.tag == null
	item.ref.digest == null
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("container `%s` uses image `%s` without a tag or digest, which means `latest`", [item.name, item.image])
}

# A reference with a malformed digest (`nginx@sha256:abc`) pins nothing: the
# kubelet refuses it (InvalidImageName).
deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.kubernetes.images
	item.ref == null
	data.driftless.lib.image.malformed(item.image)
	msg := sprintf("container `%s` uses `%s`, which is not a valid image reference (malformed digest): it pins nothing and the kubelet refuses it", [item.name, item.image])
}
