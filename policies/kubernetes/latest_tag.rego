# TAG001: a container image uses the mutable `latest` tag.
package driftless.kubernetes.latest_tag

import data.driftless.lib.image
import data.driftless.lib.kubernetes

metadata := {"id": "TAG001"}

deny contains {"msg": msg, "path": array.concat(item.path, ["image"])} if {
	some item in kubernetes.containers
	ref := item.container.image
	image.uses_latest(ref)
	not image.allowed(ref, metadata.id)
	msg := sprintf("container `%s` uses image `%s` with the mutable `latest` tag", [kubernetes.name(item.container), ref])
}
