package score

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"unicode/utf8"

	"github.com/score-spec/score-go/types"
)

// readSideFiles embeds the files that "source:" refers to, read relative to
// the Score file's directory, as content (or binaryContent when not UTF-8).
func readSideFiles(spec *types.Workload, baseDir string) error {
	for _, cname := range sortedKeys(spec.Containers) {
		c := spec.Containers[cname]
		for _, target := range sortedKeys(c.Files) {
			f := c.Files[target]
			if f.Source == nil {
				continue
			}
			path := fmt.Sprintf("containers.%s.files.%s.source", cname, target)
			if baseDir == "" {
				return fmt.Errorf("%s: side files cannot be read here; put the content inline (content: instead of source:)", path)
			}
			src := *f.Source
			if !filepath.IsAbs(src) {
				src = filepath.Join(baseDir, src)
			}
			raw, err := readLimited(src)
			if err != nil {
				return fmt.Errorf("%s: cannot read side file %q (paths are relative to the Score file's directory): %w", path, *f.Source, err)
			}
			f.Source = nil
			if utf8.Valid(raw) {
				s := string(raw)
				f.Content = &s
			} else {
				s := base64.StdEncoding.EncodeToString(raw)
				f.BinaryContent = &s
			}
			c.Files[target] = f
		}
	}
	return nil
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if len(raw) > MaxFileSize {
		return nil, fmt.Errorf("larger than %d bytes (1 MiB)", MaxFileSize)
	}
	return raw, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
