# TAG003 (strict): a container image is not pinned by digest.
package driftless.kubernetes.digest_pin

import data.driftless.lib.image
import data.driftless.lib.kubernetes

metadata := {"id": "TAG003"}

deny contains {"msg": msg, "path": array.concat(item.path, ["image"])} if {
	some item in kubernetes.containers
	ref := item.container.image
	image.without_digest(ref)
	not image.allowed(ref, metadata.id)
	msg := sprintf("container `%s` uses image `%s` not pinned by digest; tags can be moved, digests cannot", [kubernetes.name(item.container), ref])
}

deny contains {"msg": msg, "path": array.concat(item.path, ["image"])} if {
	some item in kubernetes.containers
	ref := item.container.image
	image.unverifiable(ref)
	not image.allowed(ref, metadata.id)
	msg := sprintf("container `%s` uses image `%s`, which is not a literal reference pinned by digest", [kubernetes.name(item.container), ref])
}
