package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/engine"
	"paved.dev/paved/examples"
	"paved.dev/paved/manifest"
)

func newDemoCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Render the bundled representative app and show what paved did",
		Long: `demo runs paved's engine on the bundled representative app "shop": a web and an
api workload that need a PostgreSQL database, a Redis cache, a DNS name and a
route. It resolves the resource graph with the built-in non-production
definitions, provisions the resources, renders the Kubernetes objects into a
directory (one file per object) and prints the graph and the objects.

Nothing is installed or applied anywhere; run it on a fresh machine.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd, dir)
		},
	}
	cmd.Flags().StringVarP(&dir, "output", "o", "paved-demo", "directory for the rendered objects and the state file")
	return cmd
}

func runDemo(cmd *cobra.Command, dir string) error {
	out := cmd.OutOrStdout()
	eng, err := engine.New()
	if err != nil {
		return err
	}
	var sources []engine.Source
	for _, f := range examples.Shop() {
		sources = append(sources, engine.Source{Path: f.Name, Data: f.Data})
	}
	statePath := filepath.Join(dir, "state.json")
	sf, err := engine.ReadStateFile(statePath)
	if err != nil {
		return err
	}
	dc := paved.DeployContext{App: "shop", Env: "dev", EnvType: "development"}
	fmt.Fprintf(out, "paved demo: the representative app %q, environment %q (%s)\n\n", dc.App, dc.Env, dc.EnvType)
	res, err := eng.Run(cmd.Context(), engine.Request{Sources: sources, Context: dc, State: sf.For(dc.App, dc.Env)})
	if err != nil {
		return err
	}
	printGraph(out, res)
	docs, err := manifest.MarshalEach(res.Objects)
	if err != nil {
		return err
	}
	manifests := filepath.Join(dir, "manifests")
	if err := writeDir(cmd, manifests, res.Objects, docs); err != nil {
		return err
	}
	if err := sf.Write(statePath); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nObjects (%d), written to %s:\n", len(res.Objects), manifests)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  KIND\tNAME\tFILE")
	for _, o := range res.Objects {
		r := o.Ref()
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Kind, r.Name, manifest.FileName(r))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nSecret outputs (passwords) went into Secrets and secretKeyRefs, never inline.\n")
	fmt.Fprintf(out, "Render again and the output is byte-for-byte the same (state: %s).\n", statePath)
	fmt.Fprintf(out, "Next: paved render -f your.score.yaml --app APP --env dev\n")
	return nil
}

func printGraph(out io.Writer, res *engine.Result) {
	fmt.Fprintf(out, "Resource graph (%d resources, in provisioning order):\n", len(res.Graph.Nodes))
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  RESOURCE\tDEFINITION\tDRIVER\tDEPENDS ON\tOUTPUTS")
	for _, n := range res.Graph.Nodes {
		deps := "-"
		if len(n.Deps) > 0 {
			deps = ""
			for i, d := range n.Deps {
				if i > 0 {
					deps += ","
				}
				deps += string(d)
			}
		}
		outs := ""
		for i, o := range n.Definition.Outputs {
			if i > 0 {
				outs += " "
			}
			outs += o.Name
			if o.Secret {
				outs += "(secret)"
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", n.UID, n.Definition.ID, n.Definition.Driver, deps, outs)
	}
	_ = tw.Flush()
}
