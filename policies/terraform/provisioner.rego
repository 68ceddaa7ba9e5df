# UPD003: a server is mutated after creation by a remote-exec or file
# provisioner, or over an SSH `connection`.
package driftless.terraform.provisioner

metadata := {"id": "UPD003"}

deny contains {"msg": msg, "path": ["resources", i, "config", "provisioner", j, kind]} if {
	some i, r in input.resources
	r.config.provisioner
	some j, p in data.driftless.lib.terraform.blocks(r.config, "provisioner")
	some kind in ["remote-exec", "file"]
	p[kind]
	msg := sprintf("%s is changed after creation by a `%s` provisioner; bake it into the image", [r.address, kind])
}

# A connection block (SSH unless `type = "winrm"`) on the resource or
# inside a provisioner other than remote-exec/file (those are reported above).
deny contains {"msg": msg, "path": ["resources", i, "config", "connection", j]} if {
	some i, r in input.resources
	r.config.connection
	some j, c in data.driftless.lib.terraform.blocks(r.config, "connection")
	_ssh(c)
	not _has_mutating_provisioner(r)
	msg := sprintf("%s opens an SSH connection to the server after creation", [r.address])
}

_ssh(c) if not c.type

_ssh(c) if {
	is_string(c.type)
	lower(c.type) == "ssh"
}

_has_mutating_provisioner(r) if {
	some p in data.driftless.lib.terraform.blocks(r.config, "provisioner")
	some kind in ["remote-exec", "file"]
	p[kind]
}
