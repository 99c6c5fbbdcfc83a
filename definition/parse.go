package definition

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"paved.dev/paved"
	"paved.dev/paved/scorek8s"
	"paved.dev/paved/yamlalias"
)

// APIVersion and Kind head every definition document.
const (
	APIVersion = "paved.dev/v1"
	Kind       = "ResourceDefinition"
)

// MaxFileSize bounds a definitions file.
const MaxFileSize = 1 << 20

// document is the YAML form of one definition.
type document struct {
	APIVersion               string `yaml:"apiVersion"`
	Kind                     string `yaml:"kind"`
	paved.ResourceDefinition `yaml:",inline"`
}

var (
	idPattern   = regexp.MustCompile(`^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$`)
	typePattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$`)
)

// Parse reads the definitions in a multi-document YAML stream, or a
// score-k8s provisioner file (named *.provisioners.yaml, or a YAML list) as
// the definitions it translates to (scorek8s.Translate); source names it in
// errors.
func Parse(source string, data []byte) ([]paved.ResourceDefinition, error) {
	if scorek8s.IsProvisionerFile(source) || scorek8s.LooksLikeProvisioners(data) {
		provs, err := scorek8s.Parse(source, data)
		if err != nil {
			return nil, err
		}
		defs, _, err := scorek8s.Translate(provs)
		return defs, err
	}
	return parseDefinitions(source, data)
}

func parseDefinitions(source string, data []byte) ([]paved.ResourceDefinition, error) {
	if len(data) > MaxFileSize {
		return nil, paved.Errorf(paved.EINVALID, "%s: larger than %d bytes (1 MiB); split the definitions into several files", source, MaxFileSize)
	}
	var defs []paved.ResourceDefinition
	// nodes reads each document as a tree first, without expanding its
	// aliases, so that aliases repeating too much are refused before dec
	// expands them (yamlalias); the two decoders read the same stream in
	// step. Two parses, not one: yaml.Node.Decode has no KnownFields, and
	// dec must refuse unknown fields.
	nodes := yaml.NewDecoder(bytes.NewReader(data))
	aliases := yamlalias.New(yamlalias.Max)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	for i := 0; ; i++ {
		var node yaml.Node
		if decodeDoc(nodes, &node) == nil {
			if err := aliases.Check(&node); err != nil {
				where := fmt.Sprintf("%s: document %d", source, i+1)
				if id := topScalar(&node, "id"); id != "" {
					where += " (id " + id + ")"
				}
				return nil, paved.Errorf(paved.EINVALID, "%s: %v", where, err)
			}
		}
		var doc document
		err := decodeDoc(dec, &doc)
		if errors.Is(err, io.EOF) {
			break
		}
		where := fmt.Sprintf("%s: document %d", source, i+1)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "%s: %s", where, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		if doc.APIVersion == "" && doc.Kind == "" && doc.ID == "" && doc.Type == "" {
			continue // an empty document, as after a trailing "---"
		}
		if doc.ID != "" {
			where += " (id " + doc.ID + ")"
		}
		if doc.APIVersion != APIVersion || doc.Kind != Kind {
			return nil, paved.Errorf(paved.EINVALID, "%s: apiVersion/kind is %q/%q; write apiVersion: %s and kind: %s", where, doc.APIVersion, doc.Kind, APIVersion, Kind)
		}
		if err := checkShape(&doc.ResourceDefinition); err != nil {
			return nil, paved.Errorf(paved.EINVALID, "%s: %s", where, err)
		}
		defs = append(defs, doc.ResourceDefinition)
	}
	return defs, nil
}

func decodeDoc(dec *yaml.Decoder, out any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("not valid YAML: %v", r)
		}
	}()
	return dec.Decode(out)
}

// topScalar is the value of a top-level scalar field of a document, or "".
func topScalar(doc *yaml.Node, key string) string {
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return ""
	}
	m := doc.Content[0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key && m.Content[i+1].Kind == yaml.ScalarNode {
			return m.Content[i+1].Value
		}
	}
	return ""
}

// checkShape checks what does not need the drivers.
func checkShape(d *paved.ResourceDefinition) error {
	switch {
	case d.ID == "":
		return errors.New("id: missing; give the definition a unique id such as postgres-dev")
	case !idPattern.MatchString(d.ID):
		return fmt.Errorf("id: %q must be 1-63 lower-case letters, digits, '.', '_' or '-'", d.ID)
	case d.Type == "":
		return errors.New("type: missing; name the Score resource type this definition provides, such as postgres")
	case !typePattern.MatchString(d.Type):
		return fmt.Errorf("type: %q is not a valid resource type", d.Type)
	case d.Driver == "":
		return errors.New("driver: missing; name a driver such as template or echo")
	}
	for i, c := range d.Criteria {
		if c.EnvType != "" && !c.EnvType.Valid() {
			return fmt.Errorf("criteria[%d].env_type: %q is not one of %s", i, c.EnvType, paved.EnvTypeList())
		}
	}
	seen := map[string]bool{}
	for i, o := range d.Outputs {
		switch {
		case o.Name == "":
			return fmt.Errorf("outputs[%d].name: missing", i)
		case seen[o.Name]:
			return fmt.Errorf("outputs[%d].name: %q is declared twice", i, o.Name)
		}
		seen[o.Name] = true
	}
	return nil
}
