package paved

import (
	"context"
	"slices"
)

// PruneOptions say which orphaned resources a prune may remove.
type PruneOptions struct {
	// IncludeData lets it remove resources that hold data (see
	// HoldsData); without it they are kept and listed.
	IncludeData bool `json:"include_data,omitempty"`
	// DryRun lists what a prune would remove and keep, removing nothing:
	// what a confirmation shows.
	DryRun bool `json:"dry_run,omitempty"`
	// UIDs, when given, are the resources the caller confirmed (what a dry
	// run listed as pruned and forgotten): the prune is refused (ECONFLICT)
	// when what it would remove is not exactly these, as when another
	// resource was orphaned since the confirmation.
	UIDs []ResourceUID `json:"uids,omitempty"`
}

// PrunedResource is one orphaned resource a prune removed or kept.
type PrunedResource struct {
	UID        ResourceUID   `json:"uid"`
	Definition DefinitionRef `json:"definition"`
	// Reason says why it was orphaned, or why it was kept.
	Reason string `json:"reason,omitempty"`
}

// PruneResult is what a prune did (or, dry, would do).
type PruneResult struct {
	App    string `json:"app"`
	Env    string `json:"env"`
	DryRun bool   `json:"dry_run,omitempty"`
	// Pruned were deprovisioned through their drivers (a database and its
	// role dropped...) and forgotten.
	Pruned []PrunedResource `json:"pruned"`
	// Forgotten were only forgotten: their drivers made nothing outside
	// the deployment's objects (template, echo), or cannot remove what
	// they made (cmd without deprovision); Reason says which.
	Forgotten []PrunedResource `json:"forgotten,omitempty"`
	// Kept hold data and were left, for want of IncludeData.
	Kept []PrunedResource `json:"kept,omitempty"`
	// InUse are orphaned, but the environment's last successful
	// deployment uses them (a deployment that did not succeed orphaned
	// them before it failed): never pruned, with or without IncludeData.
	InUse []PrunedResource `json:"in_use,omitempty"`
}

// ResourcePruner deprovisions an environment's orphaned resources: those
// its workloads no longer declare, or that another definition replaced.
// Active resources are never touched; every prune is audited.
type ResourcePruner interface {
	PruneResources(ctx context.Context, app, env string, opt PruneOptions) (*PruneResult, error)
}

// dataTypes are the resource types that hold data unless their definition
// says otherwise.
var dataTypes = map[string]bool{
	"postgres": true, "postgres-instance": true, "mysql": true, "mssql": true, "mongodb": true,
	"redis": true, "s3": true, "volume": true, "kafka-topic": true, "amqp": true, "bucket": true,
}

// HoldsData says whether a resource holds data that removing it loses: its
// definition's metadata "data" ("true" or "false") when set, else whether
// the definition classifies its data, else its type (a database, a cache,
// a bucket, a volume, a topic, a queue).
func HoldsData(uid ResourceUID, def *ResourceDefinition) bool {
	if def != nil {
		switch def.Metadata["data"] {
		case "true":
			return true
		case "false":
			return false
		}
		if def.Metadata["classification"] != "" {
			return true
		}
	}
	return dataTypes[uid.Type()]
}

// Removed lists the resources a prune removes or forgets, sorted: what a
// confirmation binds (PruneOptions.UIDs).
func (r *PruneResult) Removed() []ResourceUID {
	out := make([]ResourceUID, 0, len(r.Pruned)+len(r.Forgotten))
	for _, p := range r.Pruned {
		out = append(out, p.UID)
	}
	for _, p := range r.Forgotten {
		out = append(out, p.UID)
	}
	slices.Sort(out)
	return out
}
