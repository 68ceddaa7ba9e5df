# TAG002: a Kustomize `images` entry replaces an image by a `newName`
# without tag or digest (implicitly `latest`).
package driftless.kustomization.untagged_image

metadata := {"id": "TAG002"}

deny contains {"msg": msg, "path": array.concat(item.path, ["newName"])} if {
	some item in data.driftless.lib.kustomization.images
	item.tag == null
	item.digest == null
	item.new_name.tag == null
	item.new_name.digest == null
	not data.driftless.lib.image.allowed(item.entry.newName, metadata.id)
	msg := sprintf("image `%s` is replaced by `%s` without a tag or digest, which means `latest`", [item.name, item.entry.newName])
}
