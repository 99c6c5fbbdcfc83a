package score

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// conformanceDir holds real Score files written outside this project. Tests
// read them in place and never copy them.
const conformanceDir = "../../shared/conformance/score"

// ConformanceFiles lists the Score files of the shared corpus, or skips.
func conformanceFiles(t testing.TB) []string {
	t.Helper()
	if _, err := os.Stat(conformanceDir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the Score conformance corpus is missing at %s; CI always has it", conformanceDir)
		}
		t.Skipf("the Score conformance corpus is not at %s (it sits beside the repository in CI)", conformanceDir)
	}
	var files []string
	err := filepath.WalkDir(conformanceDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestConformanceCorpusLoads(t *testing.T) {
	l, err := NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	files := conformanceFiles(t)
	if len(files) < 40 {
		t.Fatalf("found %d Score files, want the whole corpus", len(files))
	}
	for _, f := range files {
		rel, _ := filepath.Rel(conformanceDir, f)
		t.Run(rel, func(t *testing.T) {
			w, err := l.LoadFile(f, Options{})
			if err != nil {
				// A few files of the corpus refer to side files that their
				// repositories never had: that, and only that, may fail.
				if !strings.Contains(err.Error(), "cannot read side file") {
					t.Fatalf("want it to load, got %v", err)
				}
				return
			}
			if w.Name == "" {
				t.Errorf("loaded without a name")
			}
		})
	}
}
