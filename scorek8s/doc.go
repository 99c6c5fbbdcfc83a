// Package scorek8s is what paved shares with score-k8s, the Score project's
// reference implementation for Kubernetes: its provisioner files
// (*.provisioners.yaml) read as paved resource definitions, its patch
// templates applied to rendered objects, and the pieces of its provisioner
// protocol that paved's template and cmd drivers both speak (secret
// references, the shared state, the workload services, the resource's
// GUID). It depends on the domain package only.
package scorek8s
