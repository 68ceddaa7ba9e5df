# TAG001: a container image in a Terraform resource uses the `latest` tag
# (also when the value comes from a variable default or a local).
package driftless.terraform.latest_tag

metadata := {"id": "TAG001"}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.terraform.images
	item.ref.tag == "latest"
	item.ref.digest == null
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("%s uses image `%s` with the mutable `latest` tag", [item.address, item.image])
}

# A Helm release that sets an image tag to `latest`.
deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.terraform.helm_image_tags
	item.tag == "latest"
	msg := sprintf("%s sets `%s` to the mutable `latest` tag", [item.address, item.name])
}
