# TAG001: a FROM image uses the mutable `latest` tag (also when the tag comes
# from an ARG default: the parser substitutes it).
package driftless.dockerfile.latest_tag

metadata := {"id": "TAG001"}

deny contains {"msg": msg, "path": ["stages", i, "from", "image"]} if {
	some i, stage in input.stages
	stage.from.ref.tag == "latest"
	not data.driftless.lib.image.allowed(stage.from.image, metadata.id)
	msg := sprintf("base image `%s` uses the mutable `latest` tag", [stage.from.image])
}
