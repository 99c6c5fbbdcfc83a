package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkDetectCommit: what reading the commit adds to a deploy, in a
// checkout of 2000 files with the Score file among them.
func BenchmarkDetectCommit(b *testing.B) {
	dir := b.TempDir()
	for i := range 2000 {
		sub := filepath.Join(dir, fmt.Sprintf("pkg%02d", i%40))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("f%d.go", i)), []byte(fmt.Sprintf("package p%d\n", i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	spec := filepath.Join(dir, "pkg07", "score.yaml")
	if err := os.WriteFile(spec, []byte("apiVersion: score.dev/v1b1\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	sha := gitCheckout(b, dir, time.Now())
	b.ResetTimer()
	for b.Loop() {
		c, _, err := detectCommit(filepath.Dir(spec), []string{spec})
		if err != nil || c.sha != sha {
			b.Fatalf("%+v %v", c, err)
		}
	}
}
