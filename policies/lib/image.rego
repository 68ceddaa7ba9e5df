# Image references, parsed once in Rust (driftless.parse_image) and shared
# by every rule that looks at an image, whatever the format. The helpers
# call the builtin directly: every Rego function call has a cost per call.
package driftless.lib.image

# parse(ref) is {"registry", "repository", "tag", "digest"} (absent parts
# null), or null when ref is not an image reference. Parts an unresolved
# variable hides (`${var.registry}/app:latest`: the registry) are listed in
# "unknown" and hold the text they may come from; the rest stays decided.
parse(ref) := driftless.parse_image(ref)

# The reference names the mutable `latest` tag and nothing pins it: with a
# digest beside it the engine pulls the digest and ignores the tag.
uses_latest(ref) if {
	p := driftless.parse_image(ref)
	p.tag == "latest"
	p.digest == null
}

# Neither tag nor digest: implicitly `latest`.
untagged(ref) if {
	p := driftless.parse_image(ref)
	p.tag == null
	p.digest == null
}

# No digest proven (strict TAG003: only a digest names immutable content).
without_digest(ref) if digest_unproven(driftless.parse_image(ref))

# The parsed reference p is not proven pinned: no digest, or one an
# unresolved variable hides (`app@${var.digest}`).
digest_unproven(p) if p.digest == null

digest_unproven(p) if "digest" in p.unknown

# A literal reference that tries to name a digest but is not a valid image
# reference (`nginx@sha256:abc`): Docker, containerd and BuildKit refuse to
# pull it, and nothing in it pins an image. TAG002 reports it, so a typo in
# a digest never reads as "pinned".
malformed(ref) if {
	is_string(ref)
	contains(ref, "@")
	not contains(ref, "$")
	driftless.parse_image(ref) == null
}

# A reference with variables (`$IMAGE`, a template) whose digest is not
# literal: strict mode cannot verify it is pinned.
unverifiable(ref) if {
	is_string(ref)
	"digest" in driftless.parse_image(ref).unknown
}

# The team accepts this reference for rule `id`: it matches one of the glob
# patterns of the config option `<id>.allowed_images` (`*` also spans `/`).
allowed(ref, id) if {
	is_string(ref)
	some pattern in _options[id].allowed_images
	glob.match(pattern, [], ref)
}

# Read once per evaluation: indexing `data` itself with a variable costs a
# scan of every loaded module in regorus, on every call.
_options := data.driftless.config.options
