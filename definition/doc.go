// Package definition reads resource definitions (YAML documents of kind
// ResourceDefinition), checks them against the drivers they name, and picks
// the definition that provides a resource in an app's environment: the most
// specific match wins and ties are broken deterministically.
package definition
