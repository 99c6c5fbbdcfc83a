package score

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/score-spec/score-go/types"
)

// check does what the schema cannot: every placeholder names a known
// resource or metadata key, and container ordering ("before") is a DAG.
func check(spec *types.Workload) error {
	var msgs []string
	ref := func(path, s string) {
		refs, err := Refs(s)
		if err != nil {
			msgs = append(msgs, path+": "+err.Error())
			return
		}
		for _, parts := range refs {
			if m := checkRef(spec, parts); m != "" {
				msgs = append(msgs, path+": "+m)
			}
		}
	}
	for _, cname := range sortedKeys(spec.Containers) {
		c := spec.Containers[cname]
		for _, k := range sortedKeys(c.Variables) {
			ref(fmt.Sprintf("containers.%s.variables.%s", cname, k), c.Variables[k])
		}
		for _, k := range sortedKeys(c.Files) {
			f := c.Files[k]
			if f.Content != nil && (f.NoExpand == nil || !*f.NoExpand) {
				ref(fmt.Sprintf("containers.%s.files.%s.content", cname, k), *f.Content)
			}
		}
		for _, k := range sortedKeys(c.Volumes) {
			ref(fmt.Sprintf("containers.%s.volumes.%s.source", cname, k), c.Volumes[k].Source)
		}
		for _, dep := range sortedKeys(c.Before) {
			switch _, ok := spec.Containers[dep]; {
			case dep == cname:
				msgs = append(msgs, fmt.Sprintf("containers.%s.before.%s: a container cannot start before itself", cname, dep))
			case !ok:
				msgs = append(msgs, fmt.Sprintf("containers.%s.before.%s: unknown container %q; containers are %s", cname, dep, dep, strings.Join(sortedKeys(spec.Containers), ", ")))
			}
		}
	}
	for _, rname := range sortedKeys(spec.Resources) {
		walkStrings(map[string]any(spec.Resources[rname].Params), "resources."+rname+".params", ref)
	}
	if cycle := beforeCycle(spec); cycle != "" {
		msgs = append(msgs, "containers: the before relationships form a cycle: "+cycle)
	}
	if len(msgs) == 0 {
		return nil
	}
	if len(msgs) > maxSchemaMessages {
		msgs = append(msgs[:maxSchemaMessages], fmt.Sprintf("... and %d more", len(msgs)-maxSchemaMessages))
	}
	return errors.New(strings.Join(msgs, "\n"))
}

func checkRef(spec *types.Workload, parts []string) string {
	if len(parts) < 2 || slices.Contains(parts, "") {
		return fmt.Sprintf("placeholder %s is malformed: write ${resources.NAME.OUTPUT} or ${metadata.KEY}", JoinRef(parts))
	}
	switch parts[0] {
	case "resources":
		if _, ok := spec.Resources[parts[1]]; !ok {
			if len(spec.Resources) == 0 {
				return fmt.Sprintf("unknown resource %q: the workload declares no resources", parts[1])
			}
			return fmt.Sprintf("unknown resource %q; declared resources are %s", parts[1], strings.Join(sortedKeys(spec.Resources), ", "))
		}
	case "metadata":
		if _, ok := spec.Metadata[parts[1]]; !ok {
			return fmt.Sprintf("unknown metadata key %q; metadata has %s", parts[1], strings.Join(sortedKeys(map[string]any(spec.Metadata)), ", "))
		}
	default:
		return fmt.Sprintf("placeholder %s: unknown root %q; placeholders start with resources. or metadata. (write $$ for a literal $)", JoinRef(parts), parts[0])
	}
	return ""
}

// walkStrings calls f for every string in a params tree, with its path.
func walkStrings(v any, path string, f func(path, s string)) {
	switch t := v.(type) {
	case string:
		f(path, t)
	case map[string]any:
		for _, k := range sortedKeys(t) {
			walkStrings(t[k], path+"."+k, f)
		}
	case []any:
		for i, e := range t {
			walkStrings(e, fmt.Sprintf("%s[%d]", path, i), f)
		}
	}
}

// beforeCycle returns a cycle in the containers' before relationships as
// "a → b → a", or "".
func beforeCycle(spec *types.Workload) string {
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	var stack []string
	var found string
	var visit func(string) bool
	visit = func(n string) bool {
		state[n] = active
		stack = append(stack, n)
		for _, dep := range sortedKeys(spec.Containers[n].Before) {
			if _, ok := spec.Containers[dep]; !ok || dep == n {
				continue
			}
			switch state[dep] {
			case active:
				i := slices.Index(stack, dep)
				found = strings.Join(append(slices.Clone(stack[i:]), dep), " → ")
				return true
			case unseen:
				if visit(dep) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		return false
	}
	for _, n := range sortedKeys(spec.Containers) {
		if state[n] == unseen && visit(n) {
			return found
		}
	}
	return ""
}
