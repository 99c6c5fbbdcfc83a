# As in Conftest's documentation (examples/kubernetes/policy/deployment.rego).
package main

deny contains msg if {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot

	msg := "Containers must not run as root"
}

deny contains msg if {
	input.kind == "Deployment"
	not input.spec.selector.matchLabels.app

	msg := "Containers must provide app label for pod selectors"
}
