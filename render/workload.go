package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/score-spec/score-go/types"

	"paved.dev/paved"
	"paved.dev/paved/graph"
	"paved.dev/paved/score"
)

// workloadRender collects one workload's objects as its containers are
// built.
type workloadRender struct {
	g         *graph.Graph
	w         *score.Workload
	labels    map[string]string
	secret    map[string]any // key → string data of the workload's Secret
	secretBin map[string]any // key → base64 data of the workload's Secret
	config    map[string]any
	configBin map[string]any
	volumes   map[string]any // pod volume name → volume
	errs      []string
}

func renderWorkload(g *graph.Graph, w *score.Workload) ([]paved.Object, error) {
	dc := g.Context
	r := &workloadRender{
		g: g, w: w,
		labels: map[string]string{
			"app.kubernetes.io/name":     w.Name,
			"app.kubernetes.io/instance": paved.DNSLabel(dc.App, dc.Env, w.Name),
			LabelWorkload:                w.Name,
		},
		secret: map[string]any{}, secretBin: map[string]any{},
		config: map[string]any{}, configBin: map[string]any{},
		volumes: map[string]any{},
	}
	containers, initContainers := r.containers()
	if len(r.errs) > 0 {
		return nil, errList(r.errs)
	}
	var objs []paved.Object
	if len(r.config)+len(r.configBin) > 0 {
		cm := r.object("v1", "ConfigMap")
		if len(r.config) > 0 {
			cm["data"] = r.config
		}
		if len(r.configBin) > 0 {
			cm["binaryData"] = r.configBin
		}
		objs = append(objs, cm)
	}
	if len(r.secret)+len(r.secretBin) > 0 {
		s := r.object("v1", "Secret")
		s["type"] = "Opaque"
		if len(r.secret) > 0 {
			s["stringData"] = r.secret
		}
		if len(r.secretBin) > 0 {
			s["data"] = r.secretBin
		}
		objs = append(objs, s)
	}
	podSpec := map[string]any{"containers": containers}
	if len(initContainers) > 0 {
		podSpec["initContainers"] = initContainers
	}
	if len(r.volumes) > 0 {
		vols := make([]any, 0, len(r.volumes))
		for _, name := range sortedKeys(r.volumes) {
			vols = append(vols, r.volumes[name])
		}
		podSpec["volumes"] = vols
	}
	podMeta := map[string]any{"labels": stringMap(r.labels)}
	podAnn := map[string]any{}
	for k, v := range annotations(w) {
		podAnn[k] = v
	}
	if h := r.configHash(); h != "" {
		podAnn[AnnotationConfigHash] = h
	}
	if len(podAnn) > 0 {
		podMeta["annotations"] = podAnn
	}
	selector := map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/name": w.Name, LabelWorkload: w.Name}}
	spec := map[string]any{
		"selector": selector,
		"template": map[string]any{"metadata": podMeta, "spec": podSpec},
	}
	kind := "Deployment"
	if k := workloadKind(w); k != "" {
		if k != "Deployment" && k != "StatefulSet" {
			return nil, fmt.Errorf("metadata.annotations.%s: %q is not a workload kind paved renders; use Deployment or StatefulSet", AnnotationKind, k)
		}
		kind = k
	}
	if kind == "StatefulSet" {
		spec["serviceName"] = w.Name
	}
	wl := r.object("apps/v1", kind)
	if ann := annotations(w); len(ann) > 0 {
		meta(wl)["annotations"] = stringMap(ann)
	}
	wl["spec"] = spec
	objs = append(objs, wl)
	if svc := r.service(); svc != nil {
		objs = append(objs, svc)
	}
	return objs, nil
}

func (r *workloadRender) object(apiVersion, kind string) paved.Object {
	return paved.Object{
		"apiVersion": apiVersion,
		"kind":       kind,
		"metadata": map[string]any{
			"name":      r.w.Name,
			"namespace": r.g.Context.Namespace,
			"labels":    stringMap(r.labels),
		},
	}
}

func annotations(w *score.Workload) map[string]string {
	raw, _ := w.Spec.Metadata["annotations"].(map[string]any)
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		out[k] = fmt.Sprint(v)
	}
	return out
}

func workloadKind(w *score.Workload) string {
	ann := annotations(w)
	if k := ann[AnnotationKind]; k != "" {
		return k
	}
	return ann[ScoreK8sKind]
}

// configHash changes whenever the workload's ConfigMap or Secret does, so
// that the pods restart to read the new values.
func (r *workloadRender) configHash() string {
	if len(r.config)+len(r.configBin)+len(r.secret)+len(r.secretBin) == 0 {
		return ""
	}
	h := sha256.New()
	for _, m := range []map[string]any{r.config, r.configBin, r.secret, r.secretBin} {
		for _, k := range sortedKeys(m) {
			fmt.Fprintf(h, "%s=%d:%s\n", k, len(m[k].(string)), m[k])
		}
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

func (r *workloadRender) service() paved.Object {
	if r.w.Spec.Service == nil || len(r.w.Spec.Service.Ports) == 0 {
		return nil
	}
	var ports []any
	for _, name := range sortedKeys(r.w.Spec.Service.Ports) {
		sp := r.w.Spec.Service.Ports[name]
		p := servicePort(name, sp.Port, sp.TargetPort, (*string)(sp.Protocol))
		ports = append(ports, map[string]any{"name": p.Name, "port": p.Port, "targetPort": p.TargetPort, "protocol": p.Protocol})
	}
	svc := r.object("v1", "Service")
	svc["spec"] = map[string]any{
		"selector": map[string]any{"app.kubernetes.io/name": r.w.Name, LabelWorkload: r.w.Name},
		"ports":    ports,
	}
	return svc
}

// containers builds the pod's containers. A container that must start
// before others ("before") becomes an init container: "complete" a classic
// one, "started" and "healthy" a native sidecar that keeps running.
func (r *workloadRender) containers() (containers, initContainers []any) {
	spec := &r.w.Spec
	for _, cname := range initOrder(spec) {
		c := spec.Containers[cname]
		out := r.container(cname, &c)
		if len(c.Before) > 0 {
			complete := true
			for _, b := range c.Before {
				if b.Ready != types.ContainerBeforeReadyComplete {
					complete = false
				}
			}
			if !complete {
				out["restartPolicy"] = "Always"
			}
			initContainers = append(initContainers, out)
			continue
		}
		containers = append(containers, out)
	}
	if len(containers) == 0 {
		r.errs = append(r.errs, "containers: every container starts before another; at least one must be a main container without before")
	}
	return containers, initContainers
}

// initOrder lists containers with those that start first first: by the
// before relationships, then by name.
func initOrder(spec *types.Workload) []string {
	names := sortedKeys(spec.Containers)
	rank := map[string]int{}
	var depth func(n string, seen int) int
	depth = func(n string, seen int) int {
		if v, ok := rank[n]; ok || seen > len(names) {
			return v
		}
		d := 0
		// A container's rank is one more than the deepest container that
		// must start before it.
		for _, other := range names {
			if _, ok := spec.Containers[other].Before[n]; ok && other != n {
				d = max(d, depth(other, seen+1)+1)
			}
		}
		rank[n] = d
		return d
	}
	for _, n := range names {
		depth(n, 0)
	}
	slices.SortStableFunc(names, func(a, b string) int { return rank[a] - rank[b] })
	return names
}

func (r *workloadRender) container(cname string, c *types.Container) map[string]any {
	out := map[string]any{"name": cname, "image": c.Image}
	if len(c.Command) > 0 {
		out["command"] = strSlice(c.Command)
	}
	if len(c.Args) > 0 {
		out["args"] = strSlice(c.Args)
	}
	if env := r.env(cname, c); len(env) > 0 {
		out["env"] = env
	}
	var mounts []any
	mounts = append(mounts, r.files(cname, c)...)
	mounts = append(mounts, r.mountVolumes(cname, c)...)
	if len(mounts) > 0 {
		out["volumeMounts"] = mounts
	}
	if c.LivenessProbe != nil {
		out["livenessProbe"] = probe(c.LivenessProbe)
	}
	if c.ReadinessProbe != nil {
		out["readinessProbe"] = probe(c.ReadinessProbe)
	}
	if c.Resources != nil {
		res := map[string]any{}
		if l := r.limits(fmt.Sprintf("containers.%s.resources.limits", cname), c.Resources.Limits); len(l) > 0 {
			res["limits"] = l
		}
		if l := r.limits(fmt.Sprintf("containers.%s.resources.requests", cname), c.Resources.Requests); len(l) > 0 {
			res["requests"] = l
		}
		if len(res) > 0 {
			out["resources"] = res
		}
	}
	return out
}

func (r *workloadRender) env(cname string, c *types.Container) []any {
	var env []any
	for _, name := range sortedKeys(c.Variables) {
		val, secret, err := r.g.Expand(r.w.Name, c.Variables[name])
		if err != nil {
			r.errs = append(r.errs, fmt.Sprintf("containers.%s.variables.%s: %v", cname, name, err))
			continue
		}
		if !secret {
			env = append(env, map[string]any{"name": name, "value": val})
			continue
		}
		key := secretKey(cname, name)
		r.secret[key] = val
		env = append(env, map[string]any{"name": name, "valueFrom": map[string]any{
			"secretKeyRef": map[string]any{"name": r.w.Name, "key": key},
		}})
	}
	return env
}

// secretKey names a value in the workload's Secret or ConfigMap; keys allow
// only [-._a-zA-Z0-9].
func secretKey(parts ...string) string {
	s := strings.Join(parts, ".")
	clean := strings.Map(func(r rune) rune {
		if r == '-' || r == '.' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
	if clean != s || len(clean) > 200 {
		h := sha256.Sum256([]byte(s))
		clean = clean[:min(len(clean), 190)] + "-" + hex.EncodeToString(h[:4])
	}
	return clean
}

// files puts each file in the workload's ConfigMap, or its Secret when a
// secret output went into it, and mounts it alone with subPath.
func (r *workloadRender) files(cname string, c *types.Container) []any {
	var mounts []any
	for i, target := range sortedKeys(c.Files) {
		f := c.Files[target]
		where := fmt.Sprintf("containers.%s.files.%s", cname, target)
		key := secretKey(cname, "file", strconv.Itoa(i), path.Base(target))
		var content string
		secret, binary := false, false
		switch {
		case f.BinaryContent != nil:
			content, binary = *f.BinaryContent, true
		case f.Content != nil && f.NoExpand != nil && *f.NoExpand:
			content = *f.Content
		case f.Content != nil:
			var err error
			if content, secret, err = r.g.Expand(r.w.Name, *f.Content); err != nil {
				r.errs = append(r.errs, fmt.Sprintf("%s.content: %v", where, err))
				continue
			}
		default:
			r.errs = append(r.errs, where+": no content; give content, binaryContent or source")
			continue
		}
		item := map[string]any{"key": key, "path": path.Base(target)}
		if f.Mode != nil {
			mode, err := strconv.ParseUint(*f.Mode, 8, 32)
			if err != nil || mode > 0o777 {
				r.errs = append(r.errs, fmt.Sprintf("%s.mode: %q is not an octal file mode such as 0644", where, *f.Mode))
				continue
			}
			item["mode"] = int(mode)
		}
		vol := paved.DNSLabel("file", cname, strconv.Itoa(i))
		source := map[string]any{"name": r.w.Name, "items": []any{item}}
		switch {
		case secret && binary:
			r.secretBin[key] = content
			r.volumes[vol] = map[string]any{"name": vol, "secret": map[string]any{"secretName": r.w.Name, "items": []any{item}}}
		case secret:
			r.secret[key] = content
			r.volumes[vol] = map[string]any{"name": vol, "secret": map[string]any{"secretName": r.w.Name, "items": []any{item}}}
		case binary:
			r.configBin[key] = content
			r.volumes[vol] = map[string]any{"name": vol, "configMap": source}
		default:
			r.config[key] = content
			r.volumes[vol] = map[string]any{"name": vol, "configMap": source}
		}
		mounts = append(mounts, map[string]any{"name": vol, "mountPath": target, "subPath": path.Base(target), "readOnly": true})
	}
	return mounts
}

// mountVolumes mounts the volumes a container names. A volume's source is a
// placeholder for a resource whose "source" output is a Kubernetes volume
// source (a PersistentVolumeClaim, an emptyDir...).
func (r *workloadRender) mountVolumes(cname string, c *types.Container) []any {
	var mounts []any
	for _, target := range sortedKeys(c.Volumes) {
		v := c.Volumes[target]
		where := fmt.Sprintf("containers.%s.volumes.%s.source", cname, target)
		parts, ok := singleRef(v.Source)
		if !ok || parts[0] != "resources" {
			r.errs = append(r.errs, fmt.Sprintf("%s: %q must be a resource placeholder such as ${resources.data}", where, v.Source))
			continue
		}
		val, _, err := r.g.Lookup(r.w.Name, parts)
		if err != nil {
			r.errs = append(r.errs, fmt.Sprintf("%s: %v", where, err))
			continue
		}
		src, ok := volumeSource(val)
		if !ok {
			r.errs = append(r.errs, fmt.Sprintf("%s: resource %s gives no Kubernetes volume source (an output \"source\" such as {persistentVolumeClaim: {claimName: x}})", where, parts[1]))
			continue
		}
		vol := paved.DNSLabel("volume", strings.Join(parts[1:], "-"))
		entry := map[string]any{"name": vol}
		for k, x := range src {
			entry[k] = x
		}
		r.volumes[vol] = entry
		m := map[string]any{"name": vol, "mountPath": target}
		if v.Path != nil && *v.Path != "" {
			m["subPath"] = *v.Path
		}
		if v.ReadOnly != nil && *v.ReadOnly {
			m["readOnly"] = true
		}
		mounts = append(mounts, m)
	}
	return mounts
}

func singleRef(s string) ([]string, bool) {
	if !strings.HasPrefix(s, "${") || !strings.HasSuffix(s, "}") || strings.Count(s, "${") != 1 {
		return nil, false
	}
	return score.SplitRef(s[2 : len(s)-1]), true
}

func volumeSource(v any) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, false
	}
	if s, ok := m["source"].(map[string]any); ok {
		m = s
	}
	if len(m) != 1 {
		return nil, false
	}
	return m, true
}

func probe(p *types.ContainerProbe) map[string]any {
	out := map[string]any{}
	if p.HttpGet != nil {
		h := map[string]any{"path": p.HttpGet.Path, "port": p.HttpGet.Port}
		if p.HttpGet.Scheme != nil {
			h["scheme"] = string(*p.HttpGet.Scheme)
		}
		if p.HttpGet.Host != nil {
			h["host"] = *p.HttpGet.Host
		}
		if len(p.HttpGet.HttpHeaders) > 0 {
			var hs []any
			for _, x := range p.HttpGet.HttpHeaders {
				hs = append(hs, map[string]any{"name": x.Name, "value": x.Value})
			}
			h["httpHeaders"] = hs
		}
		out["httpGet"] = h
	} else if p.Exec != nil {
		out["exec"] = map[string]any{"command": strSlice(p.Exec.Command)}
	}
	return out
}

func (r *workloadRender) limits(where string, l *types.ResourcesLimits) map[string]any {
	if l == nil {
		return nil
	}
	out := map[string]any{}
	if l.Cpu != nil {
		if !validQuantity(*l.Cpu) {
			r.errs = append(r.errs, fmt.Sprintf("%s.cpu: %q is not a quantity such as 250m or 2", where, *l.Cpu))
		}
		out["cpu"] = *l.Cpu
	}
	if l.Memory != nil {
		if !validQuantity(*l.Memory) {
			r.errs = append(r.errs, fmt.Sprintf("%s.memory: %q is not a quantity such as 128Mi or 1G", where, *l.Memory))
		}
		out["memory"] = *l.Memory
	}
	return out
}

// validQuantity accepts Kubernetes resource quantities: a decimal number
// with an optional suffix (m, k, M, G, T, P, E, Ki..Ei, or an exponent).
func validQuantity(s string) bool {
	num := strings.TrimRight(s, "mkKMGTPEi")
	suffix := s[len(num):]
	switch suffix {
	case "", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei":
	default:
		return false
	}
	if num == "" || !(num[0] >= '0' && num[0] <= '9' || num[0] == '.') {
		return false
	}
	_, err := strconv.ParseFloat(num, 64)
	return err == nil && !strings.ContainsAny(num, "xXpP_") && num[0] != '+'
}

func strSlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
