# The security pack: what security asks of every workload paved deploys.
# Each rule has an id and a fix hint; deny blocks the deployment, warn is
# recorded on it and shown by paved plan.
package paved.security

workloads contains w if {
	some o in input.objects
	o.kind in {"Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet"}
	w := {"ref": sprintf("%s/%s", [o.kind, o.metadata.name]), "pod": o.spec.template.spec}
}

workloads contains w if {
	some o in input.objects
	o.kind == "CronJob"
	w := {"ref": sprintf("%s/%s", [o.kind, o.metadata.name]), "pod": o.spec.jobTemplate.spec.template.spec}
}

workloads contains w if {
	some o in input.objects
	o.kind == "Pod"
	w := {"ref": sprintf("%s/%s", [o.kind, o.metadata.name]), "pod": o.spec}
}

containers contains c if {
	some w in workloads
	some k in {"containers", "initContainers", "ephemeralContainers"}
	some ct in object.get(w.pod, k, [])
	c := {"ref": w.ref, "pod": w.pod, "c": ct}
}

pinned(image) if regex.match(`@sha256:[a-f0-9]{64}$`, image)

untagged(image) if {
	not pinned(image)
	parts := split(image, "/")
	not contains(parts[count(parts) - 1], ":")
}

latest(image) if {
	not pinned(image)
	endswith(image, ":latest")
}

deny contains {"rule": "sec-image-tag", "msg": sprintf("%s: container %s runs image %q, which names no version", [x.ref, x.c.name, x.c.image]), "fix": "pin a tag (web:1.4.2) or a digest (@sha256:...)"} if {
	some x in containers
	untagged(x.c.image)
}

deny contains {"rule": "sec-image-tag", "msg": sprintf("%s: container %s runs image %q: :latest changes under you", [x.ref, x.c.name, x.c.image]), "fix": "pin a tag (web:1.4.2) or a digest (@sha256:...)"} if {
	some x in containers
	latest(x.c.image)
}

deny contains {"rule": "sec-privileged", "msg": sprintf("%s: container %s is privileged", [x.ref, x.c.name]), "fix": "drop securityContext.privileged"} if {
	some x in containers
	x.c.securityContext.privileged == true
}

deny contains {"rule": "sec-capabilities", "msg": sprintf("%s: container %s adds capabilities %v", [x.ref, x.c.name, x.c.securityContext.capabilities.add]), "fix": "remove securityContext.capabilities.add"} if {
	some x in containers
	count(x.c.securityContext.capabilities.add) > 0
}

deny contains {"rule": "sec-host-path", "msg": sprintf("%s: volume %s mounts a path of the node (hostPath)", [w.ref, v.name]), "fix": "use a volume resource or an emptyDir"} if {
	some w in workloads
	some v in object.get(w.pod, "volumes", [])
	v.hostPath
}

deny contains {"rule": "sec-host-network", "msg": sprintf("%s: uses the node's network (hostNetwork)", [w.ref]), "fix": "drop hostNetwork"} if {
	some w in workloads
	w.pod.hostNetwork == true
}

secret_name(n) if {
	regex.match(`(?i)(passw(or)?d|secret|token|api[_-]?key|private[_-]?key|credential)`, n)
	# names of where a secret is, not of the secret
	not regex.match(`(?i)_(url|uri|file|path|dir|endpoint|host|name|id)$`, n)
}

deny contains {"rule": "sec-secret-literal", "msg": sprintf("%s: container %s has %s written in clear in its environment", [x.ref, x.c.name, e.name]), "fix": "take it from a resource output (${resources.NAME.password}), which paved keeps in a Secret"} if {
	some x in containers
	some e in object.get(x.c, "env", [])
	secret_name(e.name)
	is_string(e.value)
	e.value != ""
}

non_root(x) if x.c.securityContext.runAsNonRoot == true

non_root(x) if {
	x.pod.securityContext.runAsNonRoot == true
	not x.c.securityContext.runAsNonRoot == false
}

warn contains {"rule": "sec-non-root", "msg": sprintf("%s: container %s may run as root", [x.ref, x.c.name]), "fix": "set securityContext.runAsNonRoot: true (and a non-zero runAsUser)"} if {
	some x in containers
	not non_root(x)
}

warn contains {"rule": "sec-limits", "msg": sprintf("%s: container %s has no %s limit", [x.ref, x.c.name, r]), "fix": sprintf("set resources.limits.%s of container %s (in score.yaml for a workload; in its definition's template for a resource's own)", [r, x.c.name])} if {
	some x in containers
	some r in {"cpu", "memory"}
	not x.c.resources.limits[r]
}

registry(image) := r if {
	parts := split(image, "/")
	count(parts) > 1
	first := parts[0]
	regex.match(`[.:]|^localhost$`, first)
	r := first
} else := "docker.io"

deny contains {"rule": "sec-registry", "msg": sprintf("%s: container %s runs image %q from %s, which is not an allowed registry (%s)", [x.ref, x.c.name, x.c.image, registry(x.c.image), concat(", ", input.settings.allowed_registries)]), "fix": "push the image to an allowed registry, or ask security to allow this one (paved server --allowed-registries)"} if {
	count(input.settings.allowed_registries) > 0
	some x in containers
	not registry(x.c.image) in {r | some r in input.settings.allowed_registries}
}
