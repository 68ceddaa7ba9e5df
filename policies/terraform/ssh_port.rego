# SSH003: a Kubernetes object a Terraform `kubectl_manifest` embeds (or a
# `kubernetes_manifest` holds) exposes
# port 22 (containerPort) or is a Service forwarding it, judged as the
# Kubernetes rule judges manifest files.
package driftless.terraform.ssh_port

metadata := {"id": "SSH003"}

deny contains {"msg": msg, "path": array.concat(item.path, exposure.path)} if {
	some item in data.driftless.lib.terraform.all_manifests
	some exposure in data.driftless.lib.kubernetes.ssh_exposures(item.manifest)
	msg := sprintf("%s: %s", [item.address, exposure.msg])
}
