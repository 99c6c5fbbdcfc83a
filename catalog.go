package paved

import "context"

// CatalogEntity is one entity of a Backstage software catalog
// (catalog-info.yaml): paved exports a Group per team, a System per app, a
// Component per workload and a Resource per provisioned resource, with
// their owners and what they depend on (docs/catalog.md).
type CatalogEntity struct {
	APIVersion string          `json:"apiVersion"`
	Kind       string          `json:"kind"`
	Metadata   CatalogMetadata `json:"metadata"`
	Spec       map[string]any  `json:"spec"`
}

// CatalogMetadata is an entity's metadata.
type CatalogMetadata struct {
	Name        string            `json:"name"`
	Title       string            `json:"title,omitempty"`
	Description string            `json:"description,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Ref is the entity's reference, "kind:default/name" in lower case as
// Backstage writes it.
func (e CatalogEntity) Ref() string { return CatalogRef(e.Kind, e.Metadata.Name) }

// CatalogRef is the reference of an entity of a kind and name.
func CatalogRef(kind, name string) string {
	b := []byte(kind)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b) + ":default/" + name
}

// CatalogService exports the platform as a Backstage catalog.
type CatalogService interface {
	// Catalog lists the entities, by kind (Group, System, Component,
	// Resource) and name.
	Catalog(ctx context.Context) ([]CatalogEntity, error)
}
