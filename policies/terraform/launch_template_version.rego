# VER003: a launch template is referenced by a mutable version ($Latest,
# $Default) from an ASG, instance, EKS node group, spot or EC2 fleet.
package driftless.terraform.launch_template_version

metadata := {"id": "VER003"}

_types := {"aws_autoscaling_group", "aws_instance", "aws_eks_node_group", "aws_spot_fleet_request", "aws_ec2_fleet", "aws_spot_instance_request"}

deny contains {"msg": msg, "path": array.concat(["resources", i, "config"], p)} if {
	count(_types & data.driftless.lib.terraform.resource_types) > 0
	some i, r in input.resources
	r.type in _types
	some [p, v] in driftless.find_keys(r.config, {"version"})
	count(p) > 1
	v in {"$Latest", "$Default"}
	_under_launch_template(p)
	msg := sprintf("%s uses launch template version `%s`, resolved at launch time; reference an exact version", [r.address, v])
}

_under_launch_template(p) if {
	some seg in p
	is_string(seg)
	contains(seg, "launch_template")
}
