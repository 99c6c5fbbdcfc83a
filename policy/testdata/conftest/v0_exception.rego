# Rego v0, as Conftest policies written before OPA 1.0 are, with
# Conftest's exception convention.
package main

deny_run_as_root[msg] {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("%s runs as root", [input.metadata.name])
}

warn[msg] {
	input.kind == "Service"
	input.spec.type == "NodePort"
	msg := "NodePort services expose every node"
}

exception[rules] {
	input.kind == "Deployment"
	input.metadata.name == "legacy"
	rules := ["run_as_root"]
}
