// Package render turns Score workloads, with their placeholders answered by
// a provisioned resource graph, into Kubernetes objects: a Namespace per app
// and environment, a Deployment (or StatefulSet) and a Service per workload,
// ConfigMaps and Secrets for files and secret values, and the objects the
// resources' drivers made. It is a pure function of its input: the same
// input gives byte-for-byte the same objects.
package render
