# SSH003: a workload exposes port 22 (containerPort) or a Service forwards
# port 22 (port or targetPort).
package driftless.kubernetes.ssh_port

metadata := {"id": "SSH003"}

deny contains {"msg": item.msg, "path": item.path} if {
	some item in data.driftless.lib.kubernetes.ssh_exposures(input)
}
