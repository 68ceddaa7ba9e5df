# VER001: a remote Kustomize resource or component is not pinned: no
# `?ref=` (it follows the default branch) or a branch ref (strict mode: a
# full commit SHA).
package driftless.kustomization.remote_pin

import data.driftless.config

metadata := {"id": "VER001"}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.kustomization.remote_sources
	item.ref == null
	not item.file
	msg := sprintf("remote `%s` has no `?ref=`; it follows the default branch", [item.source])
}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.kustomization.remote_sources
	item.ref == null
	item.file
	msg := sprintf("remote file `%s` is not pinned to a release or a commit; what it serves can change under you", [item.source])
}

deny contains {"msg": msg, "path": item.path} if {
	some item in data.driftless.lib.kustomization.remote_sources
	item.ref in data.driftless.lib.kustomization.branch_refs
	msg := sprintf("remote `%s` is pinned to branch `%s`, which moves with every push; use a tag or commit", [item.source, item.ref])
}

deny contains {"msg": msg, "path": item.path} if {
	config.strict
	some item in data.driftless.lib.kustomization.remote_sources
	item.ref != null
	not item.ref in data.driftless.lib.kustomization.branch_refs
	not regex.match(`^[0-9a-f]{40}$`, item.ref)
	msg := sprintf("remote `%s` is pinned to `%s`, which can be moved; strict mode wants a commit SHA", [item.source, item.ref])
}
