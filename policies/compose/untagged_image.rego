# TAG002: a Compose service image has neither tag nor digest (implicitly `latest`).
package driftless.compose.untagged_image

metadata := {"id": "TAG002"}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.compose.images
	item.ref.tag == null
	item.ref.digest == null
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("service `%s` uses image `%s` without a tag or digest, which means `latest`", [item.service, item.image])
}
