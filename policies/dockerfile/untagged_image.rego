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

# A literal FROM reference that is not a valid image reference pins
# nothing: BuildKit refuses it ("invalid reference format"). A malformed
# digest (`alpine@sha256:abc`) and a digest written as a tag
# (`alpine:sha256:…`) are the common cases.
deny contains {"msg": msg, "path": ["stages", i, "from", "image"]} if {
	some i, stage in input.stages
	stage.from.ref == null
	stage.from.stage == null
	not stage.from.scratch
	_invalid_literal(stage.from.image)
	msg := sprintf("base image `%s` is not a valid image reference as written: it pins nothing, and BuildKit refuses to build it unless a build argument completes it", [stage.from.image])
}

_invalid_literal(image) if data.driftless.lib.image.malformed(image)

_invalid_literal(image) if {
	is_string(image)
	image != ""
	not contains(image, "$")
	driftless.parse_image(image) == null
}

# Images a stage copies from or mounts (`COPY --from=nginx`).
deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.dockerfile.images
	item.ref.tag == null
	item.ref.digest == null
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("`%s` image `%s` has no tag or digest, which means `latest`", [item.how, item.image])
}
