package cli

import (
	"io"
	"os"
	"strings"

	"paved.dev/paved"
)

// statPath reports whether path is a directory.
func statPath(path string) (bool, error) {
	st, err := os.Stat(path)
	if err != nil {
		return false, paved.Errorf(paved.EINVALID, "%s: %w", path, err)
	}
	return st.IsDir(), nil
}

func readLimitedFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, paved.Errorf(paved.EINVALID, "%s: larger than %d bytes", path, limit)
	}
	return data, nil
}

// keyValues parses NAME=VALUE flags.
func keyValues(flag string, kvs []string) (map[string]string, error) {
	if len(kvs) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, paved.Errorf(paved.EINVALID, "%s %q: write NAME=VALUE", flag, kv)
		}
		out[k] = v
	}
	return out, nil
}
