package driftless.kubernetes.mutable_config_test

import data.driftless.kubernetes.mutable_config

test_configmap_without_immutable if {
	count(mutable_config.deny) == 1 with input as {"kind": "ConfigMap", "metadata": {"name": "c"}}
}

test_secret_immutable_false if {
	count(mutable_config.deny) == 1 with input as {"kind": "Secret", "metadata": {"name": "s"}, "immutable": false}
}

test_immutable_true_is_fine if {
	count(mutable_config.deny) == 0 with input as {"kind": "ConfigMap", "metadata": {"name": "c"}, "immutable": true}
}

test_other_kinds_are_ignored if {
	count(mutable_config.deny) == 0 with input as {"kind": "Deployment", "metadata": {"name": "d"}}
}

test_declared_about_an_absence if {
	mutable_config.metadata.absence == true
}
