# SSH003: a workload exposes port 22 (containerPort) or a Service forwards
# port 22 (port or targetPort).
package driftless.kubernetes.ssh_port

metadata := {"id": "SSH003"}

deny contains {"msg": msg, "path": array.concat(item.path, ["ports", i, "containerPort"])} if {
	some item in data.driftless.lib.kubernetes.containers
	is_array(item.container.ports)
	some i, port in item.container.ports
	port.containerPort in _ssh_ports
	msg := sprintf("container `%s` exposes SSH port 22; containers are replaced, not logged into", [data.driftless.lib.kubernetes.name(item.container)])
}

deny contains {"msg": msg, "path": ["spec", "ports", i, field]} if {
	input.kind == "Service"
	is_array(input.spec.ports)
	some i, port in input.spec.ports
	some field in ["port", "targetPort"]
	port[field] in _ssh_ports
	msg := sprintf("Service `%s` forwards SSH (%s 22)", [object.get(input, ["metadata", "name"], "(unnamed)"), field])
}

# 22, as a number, a string or the named port.
_ssh_ports := {22, "22", "ssh"}
