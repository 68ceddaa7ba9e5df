# TAG001: a container image in a Terraform resource uses the `latest` tag
# (also when the value comes from a variable default or a local), or may
# use it: a known branch of a conditional whose condition is not known.
package driftless.terraform.latest_tag

metadata := {"id": "TAG001"}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.terraform.images
	item.ref.tag == "latest"
	item.ref.digest == null
	not data.driftless.lib.image.allowed(item.image, metadata.id)
	msg := sprintf("%s %s image `%s` with the mutable `latest` tag%s", [item.address, data.driftless.lib.terraform.uses(item), item.image, data.driftless.lib.terraform.when(item)])
}

# A Helm release that sets an image tag to `latest`.
deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.terraform.helm_image_tags
	item.tag == "latest"
	msg := sprintf("%s %s `%s` to the mutable `latest` tag%s", [item.address, data.driftless.lib.terraform.sets(item), item.name, data.driftless.lib.terraform.when(item)])
}
