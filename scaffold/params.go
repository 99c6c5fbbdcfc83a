package scaffold

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"

	"paved.dev/paved"
)

// compileSchema compiles a template's parameters, which must describe an
// object; none is an object without properties.
func compileSchema(t *paved.Template) (*jsonschema.Schema, error) {
	s, _, _, err := compile(t)
	return s, err
}

// compile compiles a template's parameters and returns the compiler (to
// compile parts of them) and the schema as JSON decodes it.
func compile(t *paved.Template) (*jsonschema.Schema, *jsonschema.Compiler, map[string]any, error) {
	raw := string(t.Parameters)
	if raw == "" {
		raw = `{"type":"object"}`
	}
	var top map[string]any
	if err := json.Unmarshal([]byte(raw), &top); err != nil {
		return nil, nil, nil, paved.Errorf(paved.EINVALID, "parameters: a JSON Schema is an object with type: object and properties")
	}
	if top["type"] != "object" {
		return nil, nil, nil, paved.Errorf(paved.EINVALID, "parameters: give type: object and the parameters under properties")
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat = true
	// The library's loader follows file:// and http(s):// references: a
	// template's "$ref": "file:///etc/passwd" would read the server's
	// files. A template's schema refers within itself only ("#/$defs/...").
	c.LoadURL = func(u string) (io.ReadCloser, error) {
		return nil, fmt.Errorf("%s: a template's schema may refer only within itself (\"$ref\": \"#/$defs/NAME\"); it cannot load other documents", u)
	}
	if err := c.AddResource("parameters.json", strings.NewReader(raw)); err != nil {
		return nil, nil, nil, paved.Errorf(paved.EINVALID, "parameters: %s", err)
	}
	s, err := c.Compile("parameters.json")
	if err != nil {
		return nil, nil, nil, paved.Errorf(paved.EINVALID, "parameters: not a valid JSON Schema: %s", schemaCause(err))
	}
	return s, c, top, nil
}

func schemaCause(err error) error {
	var se *jsonschema.SchemaError
	if errors.As(err, &se) && se.Err != nil {
		return se.Err
	}
	return err
}

// checkDefaults refuses a default that fails its own parameter's schema:
// every paved new that leaves it out would fail.
func checkDefaults(t *paved.Template) error {
	_, c, top, err := compile(t)
	if err != nil {
		return err
	}
	props, _ := top["properties"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(props)) {
		p, _ := props[name].(map[string]any)
		def, ok := p["default"]
		if !ok {
			continue
		}
		ptr := strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
		s, err := c.Compile("parameters.json#/properties/" + ptr)
		if err != nil {
			return paved.Errorf(paved.EINVALID, "parameters: %s: %s", name, schemaCause(err))
		}
		if err := s.Validate(def); err != nil {
			var ve *jsonschema.ValidationError
			msg := err.Error()
			if errors.As(err, &ve) {
				msg = ve.Message
				for len(ve.Causes) > 0 {
					ve = ve.Causes[0]
					msg = ve.Message
				}
			}
			return paved.Errorf(paved.EINVALID, "parameters: %s: the default %v fails the parameter's own schema: %s", name, def, msg)
		}
	}
	return nil
}

// Property is one parameter a template's schema declares, as a form or
// --param shows it.
type Property struct {
	Name        string
	Title       string
	Description string
	Type        string // string, integer, number, boolean
	Default     any
	Enum        []any
	Pattern     string
	Required    bool
}

// Properties lists a template's parameters by name.
func Properties(t *paved.Template) ([]Property, error) {
	if len(t.Parameters) == 0 {
		return nil, nil
	}
	var s struct {
		Properties map[string]struct {
			Title       string `json:"title"`
			Description string `json:"description"`
			Type        any    `json:"type"`
			Default     any    `json:"default"`
			Enum        []any  `json:"enum"`
			Pattern     string `json:"pattern"`
		} `json:"properties"`
		Required []string `json:"required"`
	}
	dec := json.NewDecoder(bytes.NewReader(t.Parameters))
	dec.UseNumber()
	if err := dec.Decode(&s); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "parameters: %s", err)
	}
	var out []Property
	for name, p := range s.Properties {
		typ, _ := p.Type.(string)
		enum := make([]any, len(p.Enum))
		for i, e := range p.Enum {
			enum[i] = fromNumbers(e)
		}
		if p.Enum == nil {
			enum = nil
		}
		out = append(out, Property{Name: name, Title: p.Title, Description: p.Description, Type: typ, Default: fromNumbers(p.Default),
			Enum: enum, Pattern: p.Pattern, Required: slices.Contains(s.Required, name)})
	}
	slices.SortFunc(out, func(a, b Property) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// ParseParams reads KEY=VALUE parameters (the CLI's --param, a form's
// fields) into the types the schema gives them: "8080" is a number for an
// integer parameter, "true" a boolean; a parameter the schema does not
// declare is refused.
func ParseParams(t *paved.Template, kvs map[string]string) (map[string]any, error) {
	props, err := Properties(t)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for k, v := range kvs {
		i := slices.IndexFunc(props, func(p Property) bool { return p.Name == k })
		if i < 0 {
			return nil, unknownParam(t, props, k)
		}
		switch props[i].Type {
		case "integer":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, paved.Errorf(paved.EINVALID, "parameter %s: %q is not an integer", k, v)
			}
			out[k] = n
		case "number":
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, paved.Errorf(paved.EINVALID, "parameter %s: %q is not a number", k, v)
			}
			out[k] = n
		case "boolean":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, paved.Errorf(paved.EINVALID, "parameter %s: %q is not true or false", k, v)
			}
			out[k] = b
		default:
			out[k] = v
		}
	}
	return out, nil
}

func unknownParam(t *paved.Template, props []Property, k string) error {
	var names []string
	for _, p := range props {
		names = append(names, p.Name)
	}
	if len(names) == 0 {
		return paved.Errorf(paved.EINVALID, "parameter %s: template %s %s takes no parameters", k, t.Name, t.Version)
	}
	return paved.Errorf(paved.EINVALID, "parameter %s: template %s %s has no such parameter; it takes %s", k, t.Name, t.Version, strings.Join(names, ", "))
}

// maxParams bounds what one scaffold is given.
const maxParams = 100

// Params checks parameters against a template's schema and returns them
// with the schema's defaults filled in for those not given. Every
// parameter must be declared.
func Params(t *paved.Template, given map[string]any) (map[string]any, error) {
	if len(given) > maxParams {
		return nil, paved.Errorf(paved.EINVALID, "params: %d parameters; at most %d", len(given), maxParams)
	}
	props, err := Properties(t)
	if err != nil {
		return nil, err
	}
	s, err := compileSchema(t)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, p := range props {
		if p.Default != nil {
			out[p.Name] = p.Default
		}
	}
	for k, v := range given {
		if !slices.ContainsFunc(props, func(p Property) bool { return p.Name == k }) {
			return nil, unknownParam(t, props, k)
		}
		out[k] = v
	}
	// The schema validates JSON's values: a round trip makes them so,
	// numbers kept as written (1048576, not 1.048576e+06).
	doc, err := jsonParams(out)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "params: %s", err)
	}
	if err := s.Validate(doc); err != nil {
		return nil, paramsError(t, err)
	}
	return fromNumbers(doc).(map[string]any), nil
}

// jsonParams is params as JSON decodes them, numbers as json.Number.
func jsonParams(params map[string]any) (map[string]any, error) {
	b, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	doc := map[string]any{}
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}

// fromNumbers turns the json.Numbers in a JSON value into int64 where
// they are integers and float64 otherwise: what templates compare and
// print (a port is 8080, not 8080.0), and what records keep.
func fromNumbers(v any) any {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n
		}
		f, _ := v.Float64()
		return f
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = fromNumbers(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = fromNumbers(x)
		}
		return out
	}
	return v
}

// copyParams is a deep copy of parameters that are JSON values.
func copyParams(p map[string]any) map[string]any { return fromNumbers(p).(map[string]any) }

// paramsError says which parameter fails the schema and why.
func paramsError(t *paved.Template, err error) error {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return paved.Errorf(paved.EINVALID, "params: %s", err)
	}
	var lines []string
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		where := strings.TrimPrefix(e.InstanceLocation, "/")
		if where == "" {
			lines = append(lines, e.Message)
		} else {
			lines = append(lines, fmt.Sprintf("parameter %s: %s", strings.ReplaceAll(where, "/", "."), e.Message))
		}
	}
	walk(ve)
	slices.Sort(lines)
	lines = slices.Compact(lines)
	return paved.Errorf(paved.EINVALID, "%s (template %s %s)", strings.Join(lines, "; "), t.Name, t.Version)
}
