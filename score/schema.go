package score

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// maxSchemaMessages bounds how many schema violations one error lists.
const maxSchemaMessages = 8

// schemaError turns a schema violation into "path: message" lines, leaves
// only: the inner causes say what is wrong, the outer ones only where.
func schemaError(err error) error {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	var lines []string
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			lines = append(lines, dotted(e.InstanceLocation)+": "+e.Message)
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	slices.Sort(lines)
	lines = slices.Compact(lines)
	if len(lines) > maxSchemaMessages {
		lines = append(lines[:maxSchemaMessages], fmt.Sprintf("... and %d more", len(lines)-maxSchemaMessages))
	}
	if len(lines) == 1 {
		return errors.New(lines[0])
	}
	return errors.New("the spec does not match the Score schema:\n  " + strings.Join(lines, "\n  "))
}

// dotted turns a JSON pointer ("/containers/main/image") into a spec path.
func dotted(pointer string) string {
	p := strings.TrimPrefix(pointer, "/")
	if p == "" {
		return "(top level)"
	}
	p = strings.ReplaceAll(p, "/", ".")
	p = strings.ReplaceAll(p, "~1", "/")
	return strings.ReplaceAll(p, "~0", "~")
}
