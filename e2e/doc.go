// Package e2e holds end-to-end tests of the whole platform (server, API,
// CLI client, engine, stores, targets) against a real kube-apiserver and the
// real database servers. It has no code of its own.
package e2e
