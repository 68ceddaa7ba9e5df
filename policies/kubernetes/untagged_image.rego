# TAG002: a container image has neither tag nor digest (implicitly `latest`).
package driftless.kubernetes.untagged_image

metadata := {"id": "TAG002"}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.kubernetes.images
	item.ref.tag == null
	item.ref.digest == null
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("container `%s` uses image `%s` without a tag or digest, which means `latest`", [data.driftless.lib.kubernetes.name(item.container), item.image])
}
