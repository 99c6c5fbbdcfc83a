package paved

import "context"

// SealedKind names a place where the store keeps sealed values.
type SealedKind string

// What the store keeps sealed, and each row's key.
const (
	// SealedResources: a resource's driver state and secret outputs, one
	// sealed blob; key app, env, uid.
	SealedResources SealedKind = "resources"
	// SealedTargets: a registered cluster's kubeconfig, one sealed blob;
	// key name.
	SealedTargets SealedKind = "targets"
	// SealedDefinitions: a definition version's body (JSON), whose secret
	// inputs are sealed strings; key id, version.
	SealedDefinitions SealedKind = "definitions"
	// SealedDeployments: a deployment's objects (JSON), whose Secrets'
	// values are sealed strings; key id.
	SealedDeployments SealedKind = "deployments"
)

// SealedKinds are every kind, in the order a rotation goes through them.
var SealedKinds = []SealedKind{SealedResources, SealedTargets, SealedDefinitions, SealedDeployments}

// SealedRow is one row's column that holds sealed values, as stored.
type SealedRow struct {
	Kind SealedKind
	Key  []string
	Data []byte
}

// ResealStore lets a rotation of the secret key seal every value again.
type ResealStore interface {
	// SealedRows returns up to limit rows of kind whose column is not
	// empty, in key order, after the key after (nil: from the first).
	SealedRows(ctx context.Context, kind SealedKind, after []string, limit int) ([]SealedRow, error)
	// Reseal writes row.Data in place of old, atomically and only if the
	// column still holds old (ECONFLICT otherwise: it changed meanwhile).
	// Nothing else of the row changes.
	Reseal(ctx context.Context, row SealedRow, old []byte) error
}
