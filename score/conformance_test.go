package score

import (
	"path/filepath"
	"strings"
	"testing"

	"paved.dev/paved/score/scoretest"
)

func TestConformanceCorpusLoads(t *testing.T) {
	l, err := NewLoader()
	if err != nil {
		t.Fatal(err)
	}
	dir := scoretest.Dir(t)
	files := scoretest.Files(t)
	if len(files) < 40 {
		t.Fatalf("found %d Score files, want the whole corpus", len(files))
	}
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
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
