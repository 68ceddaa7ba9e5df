# TAG001: a container image uses the mutable `latest` tag.
package driftless.kubernetes.latest_tag

metadata := {"id": "TAG001"}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.kubernetes.images
	item.ref.tag == "latest"
	item.ref.digest == null
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("container `%s` uses image `%s` with the mutable `latest` tag", [item.name, item.image])
}
