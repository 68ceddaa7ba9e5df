# TAG001: a Helm values image uses the mutable `latest` tag (or an empty
# tag where the chart's `appVersion` is `latest`).
package driftless.helm.latest_tag

metadata := {"id": "TAG001"}

deny contains {"msg": msg, "path": item.tag_path} if {
	some item in data.driftless.lib.helm.images
	data.driftless.lib.helm.effective_tag(item) == "latest"
	item.digest == null
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("values image `%s` uses the mutable `latest` tag", [item.image])
}

deny contains {"msg": "chart `appVersion` is `latest`, the tag images without their own take", "path": ["chart", "appVersion"]} if {
	input.source == "chart"
	input.chart.appVersion == "latest"
}
