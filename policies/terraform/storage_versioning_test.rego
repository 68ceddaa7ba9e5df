package driftless.terraform.storage_versioning_test

import data.driftless.terraform.storage_versioning

bucket(name, config) := {"type": "aws_s3_bucket", "name": name, "address": sprintf("aws_s3_bucket.%s", [name]), "config": config}

test_bucket_without_versioning if {
	some f in storage_versioning.deny with input as {"resources": [bucket("logs", {"bucket": "logs"})]}
	f.path == ["resources", 0, "config"]
}

test_inline_versioning if {
	count(storage_versioning.deny) == 0 with input as {"resources": [bucket("logs", {"versioning": [{"enabled": true}]})]}
	count(storage_versioning.deny) == 1 with input as {"resources": [bucket("logs", {"versioning": [{"enabled": false}]})]}
}

test_separate_versioning_resource if {
	versioning := {"type": "aws_s3_bucket_versioning", "name": "logs", "address": "aws_s3_bucket_versioning.logs", "config": {
		"bucket": "${aws_s3_bucket.logs.id}",
		"versioning_configuration": [{"status": "Enabled"}],
	}}
	count(storage_versioning.deny) == 0 with input as {"resources": [bucket("logs", {}), versioning]}
	other := object.union(versioning, {"config": {"bucket": "${aws_s3_bucket.other.id}", "versioning_configuration": [{"status": "Enabled"}]}})
	count(storage_versioning.deny) == 1 with input as {"resources": [bucket("logs", {}), other]}
}

test_gcs if {
	gcs := {"type": "google_storage_bucket", "name": "b", "address": "google_storage_bucket.b", "config": {}}
	count(storage_versioning.deny) == 1 with input as {"resources": [gcs]}
	ok := object.union(gcs, {"config": {"versioning": [{"enabled": true}]}})
	count(storage_versioning.deny) == 0 with input as {"resources": [ok]}
}
