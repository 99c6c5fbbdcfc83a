package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/graph"
)

// TestProvisionedIsToldEachResource: the caller hears of every resource the
// moment it is provisioned, and a resource it cannot record stops the run.
func TestProvisionedIsToldEachResource(t *testing.T) {
	e := mustEngine(t)
	req := func(f func(context.Context, *graph.Node) error) Request {
		return Request{
			Sources:     []Source{{Path: "testdata/app/web.score.yaml"}, {Path: "testdata/app/api.score.yaml"}},
			Context:     paved.DeployContext{App: "shop", Env: "dev", EnvType: "development", Values: map[string]string{"LOG_LEVEL": "debug"}},
			State:       goldenState(t).For("shop", "dev"),
			Provisioned: f,
		}
	}
	var mu sync.Mutex
	var told []paved.ResourceUID
	res, err := e.Run(context.Background(), req(func(_ context.Context, n *graph.Node) error {
		if n.Outputs == nil {
			t.Errorf("%s told before its outputs were set", n.UID)
		}
		mu.Lock()
		defer mu.Unlock()
		told = append(told, n.UID)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	var want []paved.ResourceUID
	for _, n := range res.Graph.Nodes {
		want = append(want, n.UID)
	}
	slices.Sort(told)
	slices.Sort(want)
	if len(want) == 0 || !slices.Equal(told, want) {
		t.Fatalf("told %v, want every resource %v", told, want)
	}

	_, err = e.Run(context.Background(), req(func(context.Context, *graph.Node) error { return errors.New("the store is down") }))
	if err == nil || !strings.Contains(err.Error(), "recording it: the store is down") {
		t.Fatalf("Run with an unrecordable resource = %v, want the recording error", err)
	}
}
