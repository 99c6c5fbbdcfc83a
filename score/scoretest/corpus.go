// Package scoretest gives tests the Score conformance corpus: real Score
// files written outside this project, kept beside the repository in
// ../shared/conformance/score and read in place, never copied.
package scoretest

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpusFromRoot is where the corpus sits, relative to the module root.
const corpusFromRoot = "../shared/conformance/score"

// Dir returns the corpus directory, relative to the test's working
// directory (its package's directory), or skips the test when it is
// missing; in CI (CI=true) it fails instead, since CI always has it.
func Dir(tb testing.TB) string {
	tb.Helper()
	root, err := moduleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(root, corpusFromRoot)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("the Score conformance corpus is missing at %s; CI always has it", dir)
		}
		tb.Skipf("the Score conformance corpus is not at %s (it sits beside the repository in CI)", dir)
	}
	return dir
}

// Files lists the corpus' Score files (*.yaml), sorted, or skips as Dir.
func Files(tb testing.TB) []string {
	tb.Helper()
	dir := Dir(tb)
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	slices.Sort(files)
	return files
}

// Contents reads every corpus file, in the order of Files: the seed corpus
// of the fuzz targets.
func Contents(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, p := range Files(tb) {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// moduleRoot returns the module root (the directory holding go.mod)
// relative to the working directory: ".", "..", "../..".
func moduleRoot() (string, error) {
	rel := "."
	for range 16 {
		if _, err := os.Stat(filepath.Join(rel, "go.mod")); err == nil {
			return rel, nil
		}
		rel = filepath.Join(rel, "..")
	}
	return "", errors.New("scoretest: no go.mod above the working directory")
}
