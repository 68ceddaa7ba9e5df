# TAG001: a container image uses the mutable `latest` tag.
package driftless.kubernetes.latest_tag

import data.driftless.lib.image
import data.driftless.lib.kubernetes

metadata := {"id": "TAG001"}

deny contains {"msg": msg, "path": item.path} if {
	some item in kubernetes.images
	item.ref.tag == "latest"
	not image.allowed(item.image, metadata.id)
	msg := sprintf("container `%s` uses image `%s` with the mutable `latest` tag", [kubernetes.name(item.container), item.image])
}
