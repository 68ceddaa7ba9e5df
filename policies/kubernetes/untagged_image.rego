# TAG002: a container image has neither tag nor digest (implicitly `latest`).
package driftless.kubernetes.untagged_image

import data.driftless.lib.image
import data.driftless.lib.kubernetes

metadata := {"id": "TAG002"}

deny contains {"msg": msg, "path": array.concat(item.path, ["image"])} if {
	some item in kubernetes.containers
	ref := item.container.image
	image.untagged(ref)
	not image.allowed(ref, metadata.id)
	msg := sprintf("container `%s` uses image `%s` without a tag or digest, which means `latest`", [kubernetes.name(item.container), ref])
}
