package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/engine"
	"paved.dev/paved/manifest"
)

func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure paved on generated workloads",
		Long: `bench generates a synthetic app (each workload: one container, six placeholder
variables, a service port, a postgres and a route) and measures paved on it.`,
	}
	cmd.AddCommand(newBenchGenerateCmd(), newBenchRenderCmd(), newBenchLoadCmd())
	return cmd
}

func newBenchGenerateCmd() *cobra.Command {
	var n int
	var dir string
	cmd := &cobra.Command{
		Use:   "generate -n N -o DIR",
		Short: "Write N synthetic Score files into DIR",
		Example: `  paved bench generate -n 1000 -o /tmp/w1000
  time paved render -f /tmp/w1000 --app bench --state /tmp/w1000.state -o /tmp/out`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 1 || n > 100000 {
				return paved.Errorf(paved.EINVALID, "-n: %d is not within 1..100000", n)
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			for i := range n {
				p := filepath.Join(dir, fmt.Sprintf("svc-%04d.score.yaml", i))
				if err := os.WriteFile(p, engine.SyntheticWorkload(i), 0o644); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d Score files to %s\n", n, dir)
			return nil
		},
	}
	cmd.Flags().IntVarP(&n, "workloads", "n", 1000, "number of workloads")
	cmd.Flags().StringVarP(&dir, "output", "o", "", "directory to write to")
	_ = cmd.MarkFlagRequired("output")
	return cmd
}

func newBenchRenderCmd() *cobra.Command {
	var n, runs int
	cmd := &cobra.Command{
		Use:     "render -n N",
		Short:   "Render N synthetic workloads in-process and report time per phase",
		Example: "  paved bench render -n 1000\n  paved bench render -n 100 --runs 10",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 1 || n > 100000 {
				return paved.Errorf(paved.EINVALID, "-n: %d is not within 1..100000", n)
			}
			eng, err := offlineEngine()
			if err != nil {
				return err
			}
			src := make([]engine.Source, n)
			for i := range n {
				src[i] = engine.Source{Path: fmt.Sprintf("svc-%04d.score.yaml", i), Data: engine.SyntheticWorkload(i)}
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%d workloads, GOMAXPROCS=%d\n", n, runtime.GOMAXPROCS(0))
			for r := range runs {
				start := time.Now()
				res, err := eng.Run(cmd.Context(), engine.Request{Sources: src, Context: paved.DeployContext{App: "bench", Env: "dev", EnvType: "development"}})
				if err != nil {
					return err
				}
				mid := time.Now()
				docs, err := manifest.MarshalEach(res.Objects)
				if err != nil {
					return err
				}
				size := 0
				for _, d := range docs {
					size += len(d)
				}
				end := time.Now()
				fmt.Fprintf(out, "run %d: %d objects, %d bytes: resolve+render %v, YAML %v, total %v\n", r+1, len(res.Objects), size, mid.Sub(start).Round(time.Millisecond), end.Sub(mid).Round(time.Millisecond), end.Sub(start).Round(time.Millisecond))
			}
			return nil
		},
	}
	cmd.Flags().IntVarP(&n, "workloads", "n", 1000, "number of workloads")
	cmd.Flags().IntVar(&runs, "runs", 3, "how many times to render")
	return cmd
}
