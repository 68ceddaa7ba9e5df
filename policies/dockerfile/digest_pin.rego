# TAG003 (strict): a FROM image is not pinned by digest.
package driftless.dockerfile.digest_pin

metadata := {"id": "TAG003"}

deny contains {"msg": msg, "path": ["stages", i, "from", "image"]} if {
	some i, stage in input.stages
	ref := stage.from.ref
	not data.driftless.lib.image.allowed(stage.from.image, metadata.id)
	is_object(ref)
	data.driftless.lib.image.digest_unproven(ref)
	msg := sprintf("base image `%s` is not pinned by digest; tags can be moved, digests cannot", [stage.from.image])
}

# Images a stage copies from or mounts (`COPY --from=nginx:1.27`).
deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.dockerfile.images
	is_object(item.ref)
	data.driftless.lib.image.digest_unproven(item.ref)
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("`%s` image `%s` is not pinned by digest; tags can be moved, digests cannot", [item.how, item.image])
}
