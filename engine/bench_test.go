package engine

import (
	"context"
	"fmt"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/definition"
	"paved.dev/paved/graph"
	"paved.dev/paved/manifest"
	"paved.dev/paved/render"
	"paved.dev/paved/score"
)

var benchSizes = []int{100, 1000}

func syntheticSources(n int) []Source {
	s := make([]Source, n)
	for i := range n {
		s[i] = Source{Path: fmt.Sprintf("svc-%04d.score.yaml", i), Data: SyntheticWorkload(i)}
	}
	return s
}

var benchCtx = paved.DeployContext{App: "bench", Env: "dev", EnvType: "development", Namespace: "bench-dev"}

func BenchmarkLoad(b *testing.B) {
	e := mustEngine(b)
	for _, n := range benchSizes {
		src := syntheticSources(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				if _, err := e.Load(src, score.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkGraph(b *testing.B) {
	e := mustEngine(b)
	for _, n := range benchSizes {
		ws, err := e.Load(syntheticSources(n), score.Options{})
		if err != nil {
			b.Fatal(err)
		}
		set, err := definition.NewSet(e.Drivers, e.Builtin, nil)
		if err != nil {
			b.Fatal(err)
		}
		infos := render.WorkloadInfos(ws)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				g, err := graph.Build(ws, set, benchCtx)
				if err != nil {
					b.Fatal(err)
				}
				if err := g.Provision(context.Background(), graph.ProvisionOptions{Drivers: e.Drivers, State: graph.NewState(), Workloads: infos}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRender(b *testing.B) {
	e := mustEngine(b)
	for _, n := range benchSizes {
		ws, err := e.Load(syntheticSources(n), score.Options{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := e.Run(context.Background(), Request{Workloads: ws, Context: benchCtx})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				objs, err := render.Render(res.Graph, ws)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := manifest.MarshalEach(objs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkRun(b *testing.B) {
	e := mustEngine(b)
	for _, n := range benchSizes {
		src := syntheticSources(n)
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for b.Loop() {
				res, err := e.Run(context.Background(), Request{Sources: src, Context: benchCtx})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := manifest.MarshalEach(res.Objects); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
