# TAG001: a Kustomize `images` entry sets the mutable `latest` tag.
package driftless.kustomization.latest_tag

metadata := {"id": "TAG001"}

deny contains {"msg": msg, "path": array.concat(item.path, ["newTag"])} if {
	some item in data.driftless.lib.kustomization.images
	item.tag == "latest"
	item.digest == null
	msg := sprintf("image `%s` is set to the mutable `latest` tag", [item.name])
}

deny contains {"msg": msg, "path": array.concat(item.path, ["newName"])} if {
	some item in data.driftless.lib.kustomization.images
	item.tag == null
	item.digest == null
	item.new_name.tag == "latest"
	not data.driftless.lib.image.allowed(item.entry.newName, metadata.id)
	msg := sprintf("image `%s` is replaced by `%s` with the mutable `latest` tag", [item.name, item.entry.newName])
}
