package driftless.lib.image_test

import data.driftless.lib.image

test_parse_uses_the_builtin_parser if {
	image.parse("registry.example:5000/team/app:1.2@sha256:0000000000000000000000000000000000000000000000000000000000000000") == {
		"registry": "registry.example:5000",
		"repository": "team/app",
		"tag": "1.2",
		"digest": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
	}
}

test_port_is_not_a_tag if {
	image.untagged("registry.example:5000/app")
	not image.uses_latest("registry.example:5000/app")
}

test_latest if {
	image.uses_latest("nginx:latest")
	not image.uses_latest("nginx:1.27")
}

test_without_digest if {
	image.without_digest("nginx:1.27")
	image.without_digest("nginx")
	not image.without_digest("nginx:1.27@sha256:0000000000000000000000000000000000000000000000000000000000000000")
}

test_unknown_registry_keeps_the_literal_tag if {
	image.uses_latest("${aws_ecr_repository.app.repository_url}:latest")
	image.untagged("${var.registry}/app")
	not image.untagged("${var.image}")
	image.parse("${var.registry}/app").unknown == ["registry"]
}

test_unknown_tag_or_digest_is_not_proven_pinned if {
	not image.uses_latest("app:${var.tag}")
	not image.untagged("app:${var.tag}")
	image.without_digest("app:${var.tag}")
	image.without_digest("app@${var.digest}")
	image.unverifiable("app@${var.digest}")
	not image.without_digest("${var.registry}/app@sha256:0000000000000000000000000000000000000000000000000000000000000000")
}

test_allowed_images_option if {
	image.allowed("registry.example.com/base/node:latest", "TAG001") with data.driftless.config.options.TAG001.allowed_images as ["registry.example.com/base/*:latest"]
	not image.allowed("docker.io/node:latest", "TAG001") with data.driftless.config.options.TAG001.allowed_images as ["registry.example.com/base/*:latest"]
	not image.allowed("registry.example.com/base/node:latest", "TAG001")
}

test_digest_pins_a_latest_tag if {
	not image.uses_latest("nginx:latest@sha256:0000000000000000000000000000000000000000000000000000000000000000")
}

test_malformed_digest_reference if {
	image.malformed("nginx@sha256:abc")
	image.malformed("nginx:1.27@sha256:")
	not image.malformed("nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000")
	not image.malformed("nginx:1.27")
	not image.malformed("${IMAGE}@sha256:abc")
}
