# SSH003: a Compose service publishes or exposes container port 22.
package driftless.compose.ssh_port

metadata := {"id": "SSH003"}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.compose.container_ports
	data.driftless.lib.compose.includes(item.container_port, 22)
	msg := sprintf("service `%s` exposes SSH port 22 (`%s`); containers are replaced, not logged into", [item.service, item.container_port])
}
