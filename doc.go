// Package paved is the domain of the paved platform orchestrator: plain types
// (teams, apps, environments, resource definitions, deployments) and the
// interfaces that adapters implement (drivers, targets, stores). It depends on
// the standard library only; every technology lives in an adapter package.
package paved
