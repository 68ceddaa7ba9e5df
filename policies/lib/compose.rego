# Where a Docker Compose file (`compose` documents) keeps its images and
# its container ports, for every rule about them.
package driftless.lib.compose

# Each service image with its reference parsed once per document:
# {"path": ["services", "web", "image"], "image": "nginx:1.27", "ref":
# {"registry", "repository", "tag", "digest"} or null (not a literal
# reference: `${TAG}` variables are not substituted), "service": "web"}.
images := [{"path": ["services", name, "image"], "image": service.image, "ref": driftless.parse_image(service.image), "service": name} |
	some name, service in object.get(input, "services", {})
	is_object(service)
	is_string(service.image)
]

# Each container port a service publishes (`ports`) or exposes to other
# services (`expose`), in every syntax Compose accepts: a number (`22`),
# the short string `[[ip:]host:]container[/protocol]` (`"2222:22"`,
# `"127.0.0.1:2222:22/tcp"`, ranges `"20-25"`), or the long form's
# `target`: {"path": [..., i] or [..., i, "target"], "service": "web",
# "container_port": "22" (text as written, a range included)}.
container_ports := [{"path": path, "service": name, "container_port": port} |
	some name, service in object.get(input, "services", {})
	is_object(service)
	some field in ["ports", "expose"]
	is_array(service[field])
	some i, entry in service[field]
	some [suffix, port] in _container_port(entry)
	path := array.concat(["services", name, field, i], suffix)
]

_container_port(entry) := [[[], format_int(entry, 10)]] if is_number(entry)

_container_port(entry) := [[[], last]] if {
	is_string(entry)
	parts := split(split(entry, "/")[0], ":")
	last := parts[count(parts) - 1]
}

_container_port(entry) := [[["target"], format_int(entry.target, 10)]] if {
	is_object(entry)
	is_number(entry.target)
}

_container_port(entry) := [[["target"], entry.target]] if {
	is_object(entry)
	is_string(entry.target)
}

# Whether a container port as written (`"22"`, `"20-25"`) includes `port`.
includes(written, port) if {
	regex.match(`^[0-9]+$`, written)
	to_number(written) == port
}

includes(written, port) if {
	regex.match(`^[0-9]+-[0-9]+$`, written)
	bounds := split(written, "-")
	to_number(bounds[0]) <= port
	port <= to_number(bounds[1])
}
