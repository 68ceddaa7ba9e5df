# TAG002: a Helm values image has neither tag nor digest, and no chart
# `appVersion` fills the tag in (implicitly `latest`).
package driftless.helm.untagged_image

metadata := {"id": "TAG002"}

deny contains {"msg": msg, "path": item.tag_path} if {
	some item in data.driftless.lib.helm.images
	not _unparsed(item)
	not data.driftless.lib.helm.effective_tag(item)
	item.digest == null
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("values image `%s` has no tag or digest (and the chart no `appVersion`), which means `latest`", [item.image])
}

# A string that is not an image reference (a template expression).
_unparsed(item) if item.ref.unparsed
