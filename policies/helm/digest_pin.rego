# TAG003 (strict): a Helm values image is not pinned by digest.
package driftless.helm.digest_pin

metadata := {"id": "TAG003"}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.helm.images
	item.digest == null
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("values image `%s` is not pinned by digest; tags can be moved, digests cannot", [item.image])
}
