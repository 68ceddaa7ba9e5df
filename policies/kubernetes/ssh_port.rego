# SSH003: a workload exposes port 22 (containerPort) or a Service forwards
# port 22 (port or targetPort).
package driftless.kubernetes.ssh_port

import data.driftless.lib.kubernetes

metadata := {"id": "SSH003"}

deny contains {"msg": msg, "path": array.concat(item.path, ["ports", i, "containerPort"])} if {
	some item in kubernetes.containers
	is_array(item.container.ports)
	some i, port in item.container.ports
	_is_ssh(port.containerPort)
	msg := sprintf("container `%s` exposes SSH port 22; containers are replaced, not logged into", [kubernetes.name(item.container)])
}

deny contains {"msg": msg, "path": ["spec", "ports", i, field]} if {
	input.kind == "Service"
	is_array(input.spec.ports)
	some i, port in input.spec.ports
	some field in ["port", "targetPort"]
	_is_ssh(port[field])
	msg := sprintf("Service `%s` forwards SSH (%s 22)", [object.get(input, ["metadata", "name"], "(unnamed)"), field])
}

_is_ssh(p) if p == 22

_is_ssh(p) if p == "22"

_is_ssh(p) if p == "ssh"
