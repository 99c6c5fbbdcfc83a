// Package paved is the domain of the paved platform orchestrator: plain
// types, the vocabulary (roles, environment types, statuses) defined once,
// and the interfaces that adapters implement (services, stores, drivers,
// targets, gates). It is organised by entity, one file each with its type,
// its service and store interfaces and its filter. It depends on the
// standard library only; every technology lives in an adapter package.
package paved
