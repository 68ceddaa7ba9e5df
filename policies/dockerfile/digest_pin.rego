# TAG003 (strict): a FROM image is pinned by tag but not by digest.
package driftless.dockerfile.digest_pin

metadata := {"id": "TAG003"}

deny contains {"msg": msg, "path": ["stages", i, "from", "image"]} if {
	some i, stage in input.stages
	ref := stage.from.ref
	is_string(ref.tag)
	ref.tag != "latest"
	ref.digest == null
	msg := sprintf("base image `%s` is pinned by tag only; tags can be moved, digests cannot", [stage.from.image])
}
