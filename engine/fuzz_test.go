package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/graph"
	"paved.dev/paved/manifest"
	"paved.dev/paved/score/scoretest"
)

// fuzzContext is where the fuzz targets deploy.
var fuzzContext = paved.DeployContext{App: "fuzz", Env: "dev", EnvType: "development", Values: map[string]string{"LOG_LEVEL": "debug"}}

// fuzzSeed is the state's seed in every fuzz run: generated secrets derive
// from it.
var fuzzSeed = bytes.Repeat([]byte{7}, 32)

// runTwice runs the engine twice over the same request, each time from the
// same empty state, and fails unless both runs agree byte for byte:
// rendering is deterministic. A refusal must be an error, never a panic.
func runTwice(t *testing.T, e *Engine, req Request) {
	t.Helper()
	var out [2][]byte
	for i := range out {
		req.State = &graph.State{Version: graph.StateVersion, Seed: fuzzSeed, Resources: map[paved.ResourceUID]graph.ResourceState{}}
		res, err := e.Run(context.Background(), req)
		if err != nil {
			if i == 1 {
				t.Fatalf("rendered once, refused the second time: %v", err)
			}
			return
		}
		b, err := manifest.MarshalDocuments(res.Objects)
		if err != nil {
			t.Fatalf("rendered objects do not marshal: %v", err)
		}
		out[i] = b
	}
	if !bytes.Equal(out[0], out[1]) {
		t.Fatalf("the same input rendered differently:\n%s\n---- and ----\n%s", out[0], out[1])
	}
}

// FuzzRun runs the whole engine (load, graph, provision with the built-in
// definitions, placeholders, render, YAML) over any bytes as a Score file,
// seeded with the conformance corpus.
func FuzzRun(f *testing.F) {
	f.Add([]byte("apiVersion: score.dev/v1b1\nmetadata: {name: web}\ncontainers: {main: {image: nginx:1, variables: {A: '${metadata.name}', B: '${resources.db.host}'}}}\nresources: {db: {type: postgres}}\n"))
	for _, b := range scoretest.Contents(f) {
		f.Add(b)
	}
	e := mustEngine(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		runTwice(t, e, Request{Sources: []Source{{Path: "fuzz.score.yaml", Data: data}}, Context: fuzzContext})
	})
}

// FuzzSubstitute puts any string where a workload's placeholders go (a
// variable, a file's content, an annotation) in a workload with resources
// of several types, so that placeholders reach the graph's lookups of
// metadata and resource outputs.
func FuzzSubstitute(f *testing.F) {
	for _, s := range []string{
		"${metadata.name}", "${resources.db.host}:${resources.db.port}", "${resources.db}", "${resources}", "${resources.}",
		"${metadata}", "${metadata.annotations.team}", "${resources.cache.password}", "${resources.dns.host}", "${resources.db.host.x}",
		"${}", "${.}", "${resources.nope.host}", "$${resources.db.host}", "${resources.db\\.x}", "${metadata.name", "plain",
	} {
		f.Add(s)
	}
	e := mustEngine(f)
	f.Fuzz(func(t *testing.T, s string) {
		q, _ := json.Marshal(s) // a JSON string is a YAML scalar
		spec := []byte(`apiVersion: score.dev/v1b1
metadata: {name: web, annotations: {team: pioneers, note: ` + string(q) + `}}
containers:
  main:
    image: ghcr.io/acme/web:1.0
    variables: {A: ` + string(q) + `}
    files:
      - {target: /etc/a.conf, content: ` + string(q) + `}
service: {ports: {http: {port: 8080}}}
resources:
  db: {type: postgres}
  cache: {type: redis}
  dns: {type: dns}
  route: {type: route, params: {host: '${resources.dns.host}', path: /, port: 8080}}
`)
		runTwice(t, e, Request{Sources: []Source{{Path: "fuzz.score.yaml", Data: spec}}, Context: fuzzContext})
	})
}
