# TAG002: a container image in a Terraform resource has no tag or digest.
package driftless.terraform.untagged_image

import data.driftless.lib.image
import data.driftless.lib.terraform

metadata := {"id": "TAG002"}

deny contains {"msg": msg, "path": item.path} if {
	some item in terraform.images
	image.untagged(item.image)
	msg := sprintf("%s uses image `%s` without a tag or digest, which means `latest`", [item.address, item.image])
}
