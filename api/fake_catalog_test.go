package api

import (
	"context"

	"paved.dev/paved"
)

func (f *fake) Catalog(ctx context.Context) ([]paved.CatalogEntity, error) {
	if err := f.call("Catalog"); err != nil {
		return nil, err
	}
	return []paved.CatalogEntity{{APIVersion: "backstage.io/v1alpha1", Kind: "Group", Metadata: paved.CatalogMetadata{Name: "pioneers"},
		Spec: map[string]any{"type": "team", "children": []any{}}}}, nil
}
