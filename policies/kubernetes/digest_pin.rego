# TAG003 (strict): a container image is not pinned by digest.
package driftless.kubernetes.digest_pin

import data.driftless.lib.image
import data.driftless.lib.kubernetes

metadata := {"id": "TAG003"}

deny contains {"msg": msg, "path": item.path} if {
	some item in kubernetes.images
	item.ref.digest == null
	not image.allowed(item.image, metadata.id)
	msg := sprintf("container `%s` uses image `%s` not pinned by digest; tags can be moved, digests cannot", [kubernetes.name(item.container), item.image])
}

deny contains {"msg": msg, "path": item.path} if {
	some item in kubernetes.images
	item.ref == null
	not contains(item.image, "@sha256:")
	not image.allowed(item.image, metadata.id)
	msg := sprintf("container `%s` uses image `%s`, which is not a literal reference pinned by digest", [kubernetes.name(item.container), item.image])
}
