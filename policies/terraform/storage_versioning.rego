# VER007 (strict): object storage without versioning: S3 buckets (inline
# `versioning` block or a separate aws_s3_bucket_versioning in the module)
# and GCS buckets.
package driftless.terraform.storage_versioning

metadata := {"id": "VER007"}

deny contains {"msg": msg, "path": ["resources", i, "config"]} if {
	some i, r in input.resources
	r.type == "aws_s3_bucket"
	not _inline_versioning(r)
	not _separate_versioning(r)
	msg := sprintf("%s has no versioning: overwrites and deletes cannot be undone", [r.address])
}

deny contains {"msg": msg, "path": ["resources", i, "config", "versioning", 0, "enabled"]} if {
	some i, r in input.resources
	r.type == "google_storage_bucket"
	not _gcs_versioning(r)
	msg := sprintf("%s has no versioning: overwrites and deletes cannot be undone", [r.address])
}

_inline_versioning(r) if {
	some v in data.driftless.lib.terraform.blocks(r.config, "versioning")
	v.enabled == true
}

_separate_versioning(bucket) if {
	some r in input.resources
	r.type == "aws_s3_bucket_versioning"
	_refers_to(r.config.bucket, bucket)
	some vc in data.driftless.lib.terraform.blocks(r.config, "versioning_configuration")
	vc.status == "Enabled"
}

_refers_to(ref, bucket) if contains(ref, sprintf("aws_s3_bucket.%s.", [bucket.name]))

_refers_to(ref, bucket) if ref == bucket.config.bucket

_gcs_versioning(r) if {
	some v in data.driftless.lib.terraform.blocks(r.config, "versioning")
	v.enabled == true
}
