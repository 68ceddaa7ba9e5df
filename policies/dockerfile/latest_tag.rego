# TAG001: a FROM image uses the mutable `latest` tag (also when the tag comes
# from an ARG default: the parser substitutes it). With a digest as well
# (`nginx:latest@sha256:…`, as Renovate writes it) the build pulls the
# digest, so the image is pinned and the tag is only a label.
package driftless.dockerfile.latest_tag

metadata := {"id": "TAG001"}

deny contains {"msg": msg, "path": ["stages", i, "from", "image"]} if {
	some i, stage in input.stages
	stage.from.ref.tag == "latest"
	stage.from.ref.digest == null
	not data.driftless.lib.image.allowed(stage.from.image, metadata.id)
	msg := sprintf("base image `%s` uses the mutable `latest` tag", [stage.from.image])
}

# Images a stage copies from or mounts (`COPY --from=nginx:latest`).
deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.dockerfile.images
	item.ref.tag == "latest"
	item.ref.digest == null
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("`%s` image `%s` uses the mutable `latest` tag", [item.how, item.image])
}
