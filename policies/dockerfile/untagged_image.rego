# TAG002: a FROM image has neither tag nor digest. `scratch` and references
# to earlier stages are not images (the parser leaves their `ref` null).
package driftless.dockerfile.untagged_image

metadata := {"id": "TAG002"}

deny contains {"msg": msg, "path": ["stages", i, "from", "image"]} if {
	some i, stage in input.stages
	ref := stage.from.ref
	not data.driftless.lib.image.allowed(stage.from.image, metadata.id)
	is_object(ref)
	ref.tag == null
	ref.digest == null
	msg := sprintf("base image `%s` has no tag or digest, which means `latest`", [stage.from.image])
}

# A reference with a malformed digest (`alpine@sha256:abc`) pins nothing:
# BuildKit refuses it ("invalid reference format").
deny contains {"msg": msg, "path": ["stages", i, "from", "image"]} if {
	some i, stage in input.stages
	stage.from.ref == null
	data.driftless.lib.image.malformed(stage.from.image)
	msg := sprintf("base image `%s` is not a valid image reference (malformed digest): it pins nothing and the build refuses it", [stage.from.image])
}
