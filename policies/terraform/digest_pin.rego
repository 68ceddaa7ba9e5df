# TAG003 (strict): a container image in a Terraform resource is pinned by
# tag but not by digest.
package driftless.terraform.digest_pin

import data.driftless.lib.image
import data.driftless.lib.terraform

metadata := {"id": "TAG003"}

deny contains {"msg": msg, "path": item.path} if {
	some item in terraform.images
	image.tag_without_digest(item.image)
	msg := sprintf("%s uses image `%s` pinned by tag only; tags can be moved, digests cannot", [item.address, item.image])
}
