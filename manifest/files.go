package manifest

import (
	"runtime"
	"strings"
	"sync"

	"paved.dev/paved"
)

// FileName is the file an object is written to in a directory of
// manifests: "<kind>-<name>.yaml", kind in lower case.
func FileName(ref paved.ObjectRef) string {
	return strings.ToLower(ref.Kind) + "-" + ref.Name + ".yaml"
}

// MarshalEach writes each object as its own YAML document, in parallel; the
// result keeps the objects' order.
func MarshalEach(objs []paved.Object) ([][]byte, error) {
	out := make([][]byte, len(objs))
	workers := runtime.GOMAXPROCS(0)
	chunk := (len(objs) + workers - 1) / max(workers, 1)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*chunk, min((w+1)*chunk, len(objs))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				b, err := AppendYAML(make([]byte, 0, 1024), map[string]any(objs[i]))
				if err != nil {
					errs[w] = err
					return
				}
				out[i] = b
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
