package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/manifest"
)

func newCatalogCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "The platform as a Backstage software catalog",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newCatalogExportCmd())
	return cmd
}

func newCatalogExportCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "export -o DIR",
		Short: "Write Backstage catalog-info YAML files: a Group per team, a System per app, a Component per workload, a Resource per resource",
		Long: `export writes the platform as Backstage catalog entities into DIR, one file
per entity (group-<name>.yaml, system-..., component-..., resource-...) and
catalog-info.yaml, a Location that lists them all: register that one URL in
Backstage. Teams become Groups; apps Systems owned by their team; the
workloads of each environment's last successful deployment Components of
their app's System, depending on the Resources they declare; every active
resource a Resource, named <app>-<env>-<type>.<class>-<id>. Files of an
earlier export that are no longer exported are removed; other files in DIR
are left alone. docs/catalog.md has the mapping.`,
		Example: `  paved catalog export -o ./catalog
  paved catalog export -o ./backstage/paved`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			es, err := c.Catalog(cmd.Context())
			if err != nil {
				return err
			}
			files, err := catalogFiles(es)
			if err != nil {
				return err
			}
			if err := writeCatalog(dir, files); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d entities to %s (register %s in Backstage)\n", len(es), dir, filepath.Join(dir, "catalog-info.yaml"))
			return nil
		},
	}
	cmd.Flags().StringVarP(&dir, "output", "o", "", "the directory to write the catalog-info YAML files into")
	_ = cmd.MarkFlagRequired("output")
	return cmd
}

// catalogFiles are the YAML files of the entities, by file name, and the
// Location catalog-info.yaml that lists them.
func catalogFiles(es []paved.CatalogEntity) (map[string][]byte, error) {
	files := map[string][]byte{}
	var targets []any
	for _, e := range es {
		name := strings.ToLower(e.Kind) + "-" + e.Metadata.Name + ".yaml"
		b, err := manifest.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Ref(), err)
		}
		files[name] = b
		targets = append(targets, "./"+name)
	}
	loc, err := manifest.Marshal(paved.CatalogEntity{APIVersion: "backstage.io/v1alpha1", Kind: "Location",
		Metadata: paved.CatalogMetadata{Name: "paved", Description: "Every entity paved exported (paved catalog export)"},
		Spec:     map[string]any{"type": "file", "targets": targets}})
	if err != nil {
		return nil, err
	}
	files["catalog-info.yaml"] = loc
	return files, nil
}

// writeCatalog writes files into dir and removes the files an earlier
// export wrote that are not among them (named by kind, as export names
// them).
func writeCatalog(dir string, files map[string][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return paved.Errorf(paved.EINVALID, "-o %s: %v", dir, err)
	}
	old, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	for _, p := range old {
		base := filepath.Base(p)
		for _, kind := range []string{"group-", "system-", "component-", "resource-"} {
			if _, keep := files[base]; strings.HasPrefix(base, kind) && !keep {
				if err := os.Remove(p); err != nil {
					return err
				}
			}
		}
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return paved.Errorf(paved.EINVALID, "-o %s: %v", dir, err)
		}
	}
	return nil
}
