package driftless.helm.dependency_pin_test

import data.driftless.helm.dependency_pin

chart(deps) := {"source": "chart", "chart": {"name": "web", "version": "1.0.0", "dependencies": deps}}

test_missing_version if {
	some f in dependency_pin.deny with input as chart([{"name": "redis", "repository": "https://charts.bitnami.com/bitnami"}])
	f.path == ["chart", "dependencies", 0]
}

test_open_ranges if {
	count(dependency_pin.deny) == 4 with input as chart([
		{"name": "a", "version": "^1.2.0"},
		{"name": "b", "version": "~1.2"},
		{"name": "c", "version": ">=1.0.0"},
		{"name": "d", "version": "1.x"},
	])
}

test_exact_versions_and_local_charts_are_fine if {
	count(dependency_pin.deny) == 0 with input as chart([
		{"name": "a", "version": "1.2.3"},
		{"name": "b", "version": "v2.0.0-rc.1"},
		{"name": "c", "repository": "file://../common"},
	])
}
