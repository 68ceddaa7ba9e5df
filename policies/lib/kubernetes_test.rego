package driftless.lib.kubernetes_test

import data.driftless.lib.kubernetes

test_finds_containers_of_every_workload_shape if {
	pod := {"kind": "Pod", "spec": {"containers": [{"name": "a"}], "initContainers": [{"name": "b"}]}}
	count(kubernetes.containers) == 2 with input as pod
	podtemplate := {"kind": "PodTemplate", "template": {"spec": {"containers": [{"name": "a"}]}}}
	count(kubernetes.containers) == 1 with input as podtemplate
	job := {"kind": "Job", "spec": {"template": {"spec": {"containers": [{"name": "a"}]}}}}
	count(kubernetes.containers) == 1 with input as job
}

test_ignores_objects_without_pods if {
	count(kubernetes.containers) == 0 with input as {"kind": "ConfigMap", "data": {"a": "b"}}
}
