package scaffold

import (
	"maps"
	"slices"
	"strings"

	"paved.dev/paved"
)

// NextParams are the parameters an upgrade renders the new version next
// with: those the record says were given (--param's of paved new), then
// set (KEY=VALUE, typed by next's schema), less unset. Given ones next no
// longer declares are dropped and listed; the parameters not given take
// next's defaults, so that a default the template changed reaches the
// repository.
func NextParams(rec *Record, next *paved.Template, set map[string]string, unset []string) (map[string]any, []string, error) {
	given := rec.given()
	for _, k := range unset {
		if _, ok := set[k]; ok {
			return nil, nil, paved.Errorf(paved.EINVALID, "--unset %s and --param %s: give one of them", k, k)
		}
		if _, ok := given[k]; !ok {
			return nil, nil, paved.Errorf(paved.EINVALID, "--unset %s: not a parameter this repository was given; it was given %s", k, orNone(slices.Sorted(maps.Keys(given))))
		}
		delete(given, k)
	}
	props, err := Properties(next)
	if err != nil {
		return nil, nil, err
	}
	var dropped []string
	for _, k := range slices.Sorted(maps.Keys(given)) {
		if !slices.ContainsFunc(props, func(p Property) bool { return p.Name == k }) {
			dropped = append(dropped, k)
			delete(given, k)
		}
	}
	typed, err := ParseParams(next, set)
	if err != nil {
		return nil, nil, err
	}
	maps.Copy(given, typed)
	return given, dropped, nil
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
