# TAG001: a Compose service image uses the mutable `latest` tag.
package driftless.compose.latest_tag

metadata := {"id": "TAG001"}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.compose.images
	item.ref.tag == "latest"
	item.ref.digest == null
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("service `%s` uses image `%s` with the mutable `latest` tag", [item.service, item.image])
}
