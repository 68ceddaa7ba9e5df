# TAG003 (strict): a Kustomize `images` entry sets a tag but no digest.
package driftless.kustomization.digest_pin

metadata := {"id": "TAG003"}

deny contains {"msg": msg, "path": array.concat(item.path, ["newTag"])} if {
	some item in data.driftless.lib.kustomization.images
	item.tag != null
	item.digest == null
	msg := sprintf("image `%s` is set to tag `%s`, not pinned by `digest`; tags can be moved, digests cannot", [item.name, item.tag])
}
