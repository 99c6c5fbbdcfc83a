package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/definition"
	"paved.dev/paved/scorek8s"
)

// applyDefinitions is `paved definitions apply`: every file read, the
// provisioners translated together, applied; then the provisioners the
// applied files no longer hold deleted (unless keepStale), and the paved
// definitions a provisioner shadows named.
func applyDefinitions(cmd *cobra.Command, c *api.Client, files []string, keepStale bool) error {
	read, defs, err := readDefinitionFiles(cmd, files, nil)
	if err != nil {
		return err
	}
	if len(defs) == 0 {
		return paved.Errorf(paved.EINVALID, "-f: no definitions found")
	}
	var stored []paved.ResourceDefinition
	if len(read.Provisioners) > 0 {
		if stored, err = c.ListDefinitions(cmd.Context()); err != nil {
			return err
		}
	}
	out, err := c.ApplyDefinitions(cmd.Context(), defs)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	for _, d := range out {
		fmt.Fprintf(w, "definition %s (%s, driver %s): version %d\n", d.ID, d.Type, d.Driver, d.Version)
	}
	for _, d := range definition.Stale(defs, stored) {
		if keepStale {
			fmt.Fprintf(cmd.ErrOrStderr(), "warning: definition %s is no longer in %s but is kept (--keep-stale) and still matches; delete it with paved definitions delete %s\n", d.ID, definition.SourceFile(&d), d.ID)
			continue
		}
		del, err := c.DeleteDefinition(cmd.Context(), d.ID)
		if err != nil {
			return fmt.Errorf("deleting definition %s, no longer in %s: %w", d.ID, definition.SourceFile(&d), err)
		}
		fmt.Fprintf(w, "definition %s deleted (version %d): no longer in %s\n", d.ID, del.Version, definition.SourceFile(&d))
	}
	for _, s := range definition.Shadows(defs, current(stored, defs)) {
		fmt.Fprintf(cmd.ErrOrStderr(), "note: provisioner %s shadows definition %s (%s); give that definition more specific criteria to keep it there\n", s.Provisioner, s.Definition, s.Where)
	}
	return nil
}

// current is the stored definitions as the apply left them: those applied
// replace the stored ones of the same id.
func current(stored, applied []paved.ResourceDefinition) []paved.ResourceDefinition {
	ids := map[string]bool{}
	for _, d := range applied {
		ids[d.ID] = true
	}
	out := append([]paved.ResourceDefinition(nil), applied...)
	for _, d := range stored {
		if !ids[d.ID] {
			out = append(out, d)
		}
	}
	return out
}

// readDefinitionFiles reads definition files and directories, with the
// provisioners of provs (score-k8s --provisioners) before theirs, all
// translated together (one first match), and shows the warnings.
func readDefinitionFiles(cmd *cobra.Command, paths []string, provs []scorek8s.Provisioner) (*definition.Files, []paved.ResourceDefinition, error) {
	read, err := definition.Read(paths...)
	if err != nil {
		return nil, nil, err
	}
	read.Provisioners = append(provs, read.Provisioners...)
	defs, warnings, err := read.All()
	if err != nil {
		return nil, nil, err
	}
	for _, w := range warnings {
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s\n", w)
	}
	return read, defs, nil
}
