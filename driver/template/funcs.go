package template

import (
	"fmt"
	"strconv"
	"strings"
	"text/template"

	"paved.dev/paved"
	"paved.dev/paved/scorek8s"
)

// baseFuncs are the functions templates may call besides text/template's
// own: the library score-k8s' templates see (scorek8s.Funcs), paved's
// functions for its own definitions, and sprig's random functions, which
// come back per resource, derived from the environment's seed
// (seededFuncs), so score-k8s templates that call them render stably.
func baseFuncs() template.FuncMap {
	f := scorek8s.Funcs()
	f["servicePort"] = servicePort
	f["splitGateway"] = func(s string) []string {
		name, ns, _ := strings.Cut(s, "/")
		return []string{name, ns}
	}
	for name := range seededNames {
		f[name] = func(...any) (string, error) { return "", fmt.Errorf("%s: no seed in this context", name) }
	}
	return f
}

// servicePort finds a port of a workload's service by number or name and
// returns its number.
func servicePort(w paved.WorkloadInfo, port any) (int, error) {
	if len(w.Ports) == 0 {
		return 0, fmt.Errorf("workload %s has no service ports; declare service.ports in its Score file", w.Name)
	}
	want := fmt.Sprint(port)
	var have []string
	for _, p := range w.Ports {
		if strconv.Itoa(p.Port) == want || p.Name == want {
			return p.Port, nil
		}
		have = append(have, fmt.Sprintf("%s (%d)", p.Name, p.Port))
	}
	return 0, fmt.Errorf("workload %s has no service port %s; its ports are %s", w.Name, want, strings.Join(have, ", "))
}
