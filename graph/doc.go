// Package graph builds the resource graph of a deployment: the resources its
// workloads declare, identified the Score way, each matched to a definition,
// ordered so that a resource whose params use another's outputs comes after
// it, and provisioned through the drivers in that order. It then answers the
// workloads' placeholders from the outputs, saying which values are secret.
package graph
