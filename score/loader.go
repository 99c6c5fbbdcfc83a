package score

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
	"github.com/score-spec/score-go/loader"
	scoreschema "github.com/score-spec/score-go/schema"
	"github.com/score-spec/score-go/types"
	"gopkg.in/yaml.v3"

	"paved.dev/paved"
	"paved.dev/paved/yamlalias"
)

// MaxFileSize bounds a Score file and each side file it refers to.
const MaxFileSize = 1 << 20

// APIVersion is the only Score version paved reads.
const APIVersion = "score.dev/v1b1"

// Workload is a loaded, validated Score spec.
type Workload struct {
	Name string
	// Path is the file it came from, as given; "" when loaded from bytes.
	Path string
	Spec types.Workload
	// Upgrades lists the deprecated forms that were rewritten.
	Upgrades []string
}

// Loader validates Score files against the schema it compiled once: compiling
// costs about 3 ms, more than loading a file.
type Loader struct {
	schema *jsonschema.Schema
}

// NewLoader compiles the Score v1b1 schema.
func NewLoader() (*Loader, error) {
	s, err := jsonschema.CompileString("score-v1b1.json", scoreschema.ScoreSchemaV1b1)
	if err != nil {
		return nil, fmt.Errorf("compiling the Score schema: %w", err)
	}
	return &Loader{schema: s}, nil
}

// Options change what is loaded, in this order: the override files are
// merged in, then the property overrides applied, then the images set.
type Options struct {
	// OverrideFiles are maps merged into the spec, as score-compose and
	// score-k8s merge --overrides-file: maps merge key by key, anything else
	// replaces, and null deletes.
	OverrideFiles []map[string]any
	// Overrides are "path=value" property overrides applied before validation;
	// a value is read as YAML, so "replicas=2" is a number and "a.b=" deletes.
	Overrides []string
	// Image replaces container images given as "." in the spec.
	Image string
	// Images sets the image of the containers named by its keys, whatever
	// their image was.
	Images map[string]string
	// Several says the options apply to each of several files: then an
	// override of a named container or resource (containers.NAME...,
	// resources.NAME..., in a property override or an override file)
	// applies only to the files that have it, instead of adding it to
	// every workload.
	Several bool
}

// changes reports whether the options change a spec at all.
func (o Options) changes() bool {
	return len(o.OverrideFiles) > 0 || len(o.Overrides) > 0 || o.Image != "" || len(o.Images) > 0
}

// LoadFile reads and validates one Score file. Side files are read relative
// to the file's directory.
func (l *Loader) LoadFile(path string, opts Options) (*Workload, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: cannot read the Score file: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: cannot read the Score file: %w", path, err)
	}
	return l.Load(path, data, filepath.Dir(path), opts)
}

// Load validates a Score spec held in data; name is used in errors and
// baseDir resolves side files ("" refuses them).
func (l *Loader) Load(name string, data []byte, baseDir string, opts Options) (*Workload, error) {
	w, err := l.load(name, data, baseDir, opts)
	if err != nil {
		return nil, &paved.Error{Code: paved.EINVALID, Message: name + ": " + err.Error(), Err: err}
	}
	w.Path = name
	return w, nil
}

func (l *Loader) load(name string, data []byte, baseDir string, opts Options) (*Workload, error) {
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("the file is larger than %d bytes (1 MiB); split it into several workloads or move file contents to side files", MaxFileSize)
	}
	raw, err := decodeYAML(data)
	if err != nil {
		return nil, err
	}
	if v, _ := raw["apiVersion"].(string); v != APIVersion {
		if v == "" {
			return nil, fmt.Errorf("apiVersion: missing; set apiVersion: %s", APIVersion)
		}
		return nil, fmt.Errorf("apiVersion: %q is not supported; paved reads %s", v, APIVersion)
	}
	upgrades, err := scoreschema.ApplyCommonUpgradeTransforms(raw)
	if err != nil {
		return nil, err
	}
	if raw, err = opts.apply(raw); err != nil {
		return nil, err
	}
	if err := l.schema.Validate(raw); err != nil {
		return nil, schemaError(err)
	}
	var w Workload
	if err := loader.MapSpec(&w.Spec, raw); err != nil {
		return nil, fmt.Errorf("decoding the spec: %w", err)
	}
	w.Upgrades = upgrades
	w.Name, _ = w.Spec.Metadata["name"].(string)
	if err := readSideFiles(&w.Spec, baseDir); err != nil {
		return nil, err
	}
	if err := check(&w.Spec); err != nil {
		return nil, err
	}
	return &w, nil
}

// decodeYAML decodes one YAML document into a map. yaml.v3 refuses alias
// expansion out of proportion to the document ("billion laughs").
func decodeYAML(data []byte) (m map[string]any, err error) {
	defer func() {
		// yaml.v3 has panicked on hostile input in the past; a bad file must
		// never take the process down.
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("the file is not valid YAML: %v", r)
		}
	}()
	// The document is read as a tree first, and its aliases bounded
	// (yamlalias) before anything expands them: within yaml.v3's own limit
	// a few kilobytes still expand to 400,000 values, for the schema
	// validation and everything after to go through.
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("the file is empty; a Score file needs apiVersion, metadata.name and containers")
		}
		return nil, fmt.Errorf("the file is not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if err := yamlalias.New(yamlalias.Max).Check(&doc); err != nil {
		return nil, err
	}
	if err := doc.Decode(&m); err != nil {
		return nil, fmt.Errorf("the file is not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if m == nil {
		return nil, fmt.Errorf("the file holds no mapping; a Score file needs apiVersion, metadata.name and containers")
	}
	var extra yaml.Node // a tree: a second document is refused unexpanded
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, fmt.Errorf("the file holds more than one YAML document; put each workload in its own file")
	}
	return m, nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
