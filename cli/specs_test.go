package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"maps"
)

// TestSpecsKeyedByWorkload: one score.yaml per service folder deploys as it
// renders, each file kept under its workload's name; two files of one
// workload are refused naming both.
func TestSpecsKeyedByWorkload(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, name string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		body := "apiVersion: score.dev/v1b1\nmetadata:\n  name: " + name + "\ncontainers:\n  main:\n    image: busybox\n"
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fe, be := write("frontend/score.yaml", "frontend"), write("backend/score.yaml", "backend")
	specs, err := readSpecs([]string{fe, be}, &specFlags{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := slices.Sorted(maps.Keys(specs)), []string{"backend.score.yaml", "frontend.score.yaml"}; !slices.Equal(got, want) {
		t.Errorf("specs = %v, want %v", got, want)
	}
	dup := write("other/score.yaml", "frontend")
	_, err = readSpecs([]string{fe, dup}, &specFlags{})
	if err == nil || !strings.Contains(err.Error(), fe) || !strings.Contains(err.Error(), dup) || !strings.Contains(err.Error(), "same workload name") {
		t.Errorf("two files of one workload: err = %v", err)
	}
}
