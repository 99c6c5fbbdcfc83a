package scorek8s

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"paved.dev/paved"
	"paved.dev/paved/yamlalias"
)

// Suffix ends the name of a score-k8s provisioner file.
const Suffix = ".provisioners.yaml"

// MaxFileSize bounds a provisioner file, as definition.MaxFileSize does a
// definitions file.
const MaxFileSize = 1 << 20

// Provisioner is one entry of a provisioner file, in score-k8s 0.15's format
// (internal/provisioners/templateprov and cmdprov): the fields of both
// kinds; Parse checks that each kind uses only its own.
type Provisioner struct {
	URI         string  `yaml:"uri"`
	Type        string  `yaml:"type"`
	Class       *string `yaml:"class,omitempty"`
	ID          *string `yaml:"id,omitempty"`
	Description string  `yaml:"description,omitempty"`
	// template:// only.
	Init      string `yaml:"init,omitempty"`
	State     string `yaml:"state,omitempty"`
	Shared    string `yaml:"shared,omitempty"`
	Outputs   string `yaml:"outputs,omitempty"`
	Manifests string `yaml:"manifests,omitempty"`
	// cmd:// only.
	Args []string `yaml:"args,omitempty"`
	// Params and OutputNames are cmd fields score-k8s reads and never uses
	// (OutputNames is its "outputs", a list of names in a cmd provisioner).
	Params      []string `yaml:"params,omitempty"`
	OutputNames []string `yaml:"-"`

	SupportedParams []string `yaml:"supported_params,omitempty"`
	ExpectedOutputs []string `yaml:"expected_outputs,omitempty"`

	// Source is the file it came from.
	Source string `yaml:"-"`
}

// fields are the keys each kind of provisioner takes, as in score-k8s.
var fields = map[string][]string{
	"template": {"uri", "type", "class", "id", "description", "init", "state", "shared", "outputs", "manifests", "supported_params", "expected_outputs"},
	"cmd":      {"uri", "type", "class", "id", "description", "args", "params", "outputs", "supported_params", "expected_outputs"},
}

// Parse reads a provisioner file: a YAML list of provisioners. source names
// it in errors, which also name the provisioner by its position and uri.
func Parse(source string, data []byte) ([]Provisioner, error) {
	if len(data) > MaxFileSize {
		return nil, paved.Errorf(paved.EINVALID, "%s: larger than %d bytes (1 MiB); split the provisioners into several files", source, MaxFileSize)
	}
	// The file is read as a tree first, its aliases not expanded: each
	// provisioner is then decoded on its own, and the merge keys expanded
	// by hand (mergeKeys), so an alias of a big value, or merges of merges,
	// would be expanded again for every provisioner that names it; the
	// aliases are bounded for the whole file before (yamlalias).
	var doc yaml.Node
	if err := decodeSafely(data, &doc); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: not a score-k8s provisioner file (a YAML list of provisioners): %s", source, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if err := checkAliases(&doc); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: %v", source, err)
	}
	var raw []yaml.Node
	if err := decodeNode(&doc, &raw); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: not a score-k8s provisioner file (a YAML list of provisioners): %s", source, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	out := make([]Provisioner, 0, len(raw))
	for i := range raw {
		p, err := parseOne(&raw[i])
		if err != nil {
			where := fmt.Sprintf("%s: provisioner %d", source, i)
			if p.URI != "" {
				where += " (" + p.URI + ")"
			}
			return nil, paved.Errorf(paved.EINVALID, "%s: %v", where, err)
		}
		p.Source = source
		out = append(out, p)
	}
	return out, nil
}

func decodeSafely(data []byte, out any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("not valid YAML: %v", r)
		}
	}()
	err = yaml.Unmarshal(data, out)
	return err
}

func decodeNode(n *yaml.Node, out any) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("not valid YAML: %v", r)
		}
	}()
	return n.Decode(out)
}

// checkAliases bounds what the aliases of a provisioner file repeat
// (yamlalias.Max), naming the provisioner where they go over.
func checkAliases(doc *yaml.Node) error {
	c := yamlalias.New(yamlalias.Max)
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.SequenceNode {
		return c.Check(doc)
	}
	for i, p := range doc.Content[0].Content {
		if err := c.Check(p); err != nil {
			where := fmt.Sprintf("provisioner %d", i)
			if p.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(p.Content); j += 2 {
					if p.Content[j].Value == "uri" && p.Content[j+1].Kind == yaml.ScalarNode {
						where += " (" + p.Content[j+1].Value + ")"
						break
					}
				}
			}
			return fmt.Errorf("%s: %w", where, err)
		}
	}
	return nil
}

func parseOne(n *yaml.Node) (Provisioner, error) {
	var p Provisioner
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return p, fmt.Errorf("line %d: must be a mapping with uri, type and the provisioner's fields", n.Line)
	}
	n, err := mergeKeys(n, 0)
	if err != nil {
		return p, err
	}
	keys := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		keys[n.Content[i].Value] = n.Content[i+1]
	}
	if u := keys["uri"]; u != nil {
		p.URI = u.Value
	}
	u, perr := url.Parse(p.URI)
	switch {
	case p.URI == "":
		return p, errors.New("uri: missing; give the provisioner a uri such as template://acme/postgres or cmd://python3#s3")
	case perr != nil:
		return p, fmt.Errorf("uri: %q is not a URI: %v", p.URI, perr)
	case u.Scheme != "template" && u.Scheme != "cmd":
		return p, fmt.Errorf("uri: scheme %q is not supported; score-k8s provisioners are template:// or cmd://", u.Scheme)
	}
	known := fields[u.Scheme]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i].Value
		if !slices.Contains(known, k) {
			return p, fmt.Errorf("line %d: field %q is not a field of a %s:// provisioner; its fields are %s", n.Content[i].Line, k, u.Scheme, strings.Join(known, ", "))
		}
	}
	if u.Scheme == "cmd" {
		// "outputs" is a list of names in a cmd provisioner, a template in a
		// template one.
		if o := keys["outputs"]; o != nil {
			var names []string
			if err := o.Decode(&names); err != nil {
				return p, fmt.Errorf("outputs: must be a list of output names: %v", err)
			}
			p.OutputNames = names
			n = withoutKey(n, "outputs")
		}
	}
	if err := n.Decode(&p); err != nil {
		return p, fmt.Errorf("%s", strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if p.Type == "" {
		return p, errors.New("type: missing; name the Score resource type it provides, such as postgres")
	}
	if u.Scheme == "cmd" {
		if u.User != nil || u.Port() != "" || u.RawQuery != "" {
			return p, errors.New("uri: a cmd:// uri holds no user, port or query; put arguments in args")
		}
	}
	return p, nil
}

// mergeKeys expands YAML merge keys (<<: *base, or a list of them) into the
// mapping, its own keys first winning, as YAML 1.1 merges do, so that the
// field checks see the merged fields.
func mergeKeys(n *yaml.Node, depth int) (*yaml.Node, error) {
	if depth > 8 {
		return nil, fmt.Errorf("line %d: merge keys (<<) nested too deep", n.Line)
	}
	var merged []*yaml.Node
	own := map[string]bool{}
	out := *n
	out.Content = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Value == "<<" && k.Tag != "!!str" {
			merged = append(merged, v)
			continue
		}
		own[k.Value] = true
		out.Content = append(out.Content, k, v)
	}
	var bases []*yaml.Node
	for _, v := range merged {
		if v.Kind == yaml.SequenceNode {
			bases = append(bases, v.Content...)
		} else {
			bases = append(bases, v)
		}
	}
	for _, b := range bases {
		if b.Kind == yaml.AliasNode && b.Alias != nil {
			b = b.Alias
		}
		if b.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("line %d: a merge key (<<) must name a mapping", b.Line)
		}
		b, err := mergeKeys(b, depth+1)
		if err != nil {
			return nil, err
		}
		for i := 0; i+1 < len(b.Content); i += 2 {
			if k := b.Content[i].Value; !own[k] {
				own[k] = true
				out.Content = append(out.Content, b.Content[i], b.Content[i+1])
			}
		}
	}
	return &out, nil
}

func withoutKey(n *yaml.Node, key string) *yaml.Node {
	c := *n
	c.Content = nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != key {
			c.Content = append(c.Content, n.Content[i], n.Content[i+1])
		}
	}
	return &c
}

// ReadPath reads a provisioner file, or every *.provisioners.yaml file of a
// directory in lexicographic order of their names, as score-k8s reads its
// .score-k8s directory.
func ReadPath(path string) ([]Provisioner, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "provisioners %s: %v", path, err)
	}
	files := []string{path}
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "provisioners directory %s: %v", path, err)
		}
		files = files[:0]
		for _, e := range entries {
			if !e.IsDir() && strings.HasSuffix(e.Name(), Suffix) {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		slices.Sort(files)
		if len(files) == 0 {
			return nil, paved.Errorf(paved.EINVALID, "provisioners directory %s: no *%s file in it", path, Suffix)
		}
	}
	var out []Provisioner
	for _, f := range files {
		data, err := ReadLimited(f)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "%s: %v", f, err)
		}
		p, err := Parse(f, data)
		if err != nil {
			return nil, err
		}
		out = append(out, p...)
	}
	return out, nil
}

// ReadLimited reads at most MaxFileSize+1 bytes of a file: enough for
// Parse to tell a file that is too large.
func ReadLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, MaxFileSize+1))
}

// Translate makes each provisioner a paved resource definition:
//
//   - template:// runs on the template driver, its templates as the driver's
//     inputs with its uri, source file and supported_params; cmd:// on the
//     cmd driver, with its uri and args;
//   - type is the definition's type; class and id, when set, its one
//     criteria (class and res_id); neither: no criteria, it matches any;
//   - the outputs are the expected_outputs, those that return a secret
//     reference declared secret (see secretOutputs), plus "*" for outputs it
//     does not list;
//   - the priority keeps score-k8s' order: the first provisioner that
//     matches wins, so the first of n gets priority n and the last 1.
//
// The ids come from the uris, so applying the same files again makes new
// versions of the same definitions.
func Translate(provs []Provisioner) ([]paved.ResourceDefinition, []string, error) {
	out := make([]paved.ResourceDefinition, 0, len(provs))
	var warnings []string
	// The same uri twice: score-k8s keeps both and the first always
	// matches first, so the later one is dead; paved keeps the first.
	first := map[string]string{}
	kept := provs[:0:0]
	for _, p := range provs {
		if prev, ok := first[p.URI]; ok {
			warnings = append(warnings, fmt.Sprintf("%s: provisioner %s: the uri is used again (first in %s); the first one wins, as in score-k8s, and this one is ignored", p.Source, p.URI, prev))
			continue
		}
		first[p.URI] = p.Source
		kept = append(kept, p)
	}
	ids := idsFor(kept)
	for i, p := range kept {
		d := paved.ResourceDefinition{
			ID: ids[i], Type: p.Type, Description: p.Description, Priority: len(kept) - i,
			Metadata: map[string]string{URIKey: p.URI},
		}
		if d.Description == "" {
			d.Description = "score-k8s provisioner " + p.URI
		}
		if p.Class != nil || p.ID != nil {
			var c paved.Criteria
			if p.Class != nil {
				c.Class = *p.Class
			}
			if p.ID != nil {
				c.ResID = *p.ID
			}
			d.Criteria = []paved.Criteria{c}
		}
		in := map[string]any{"uri": p.URI}
		if p.Source != "" {
			in["source"] = filepath.Base(p.Source)
		}
		var secret map[string]bool
		if strings.HasPrefix(p.URI, "template:") {
			d.Driver = "template"
			for k, v := range map[string]string{"init": p.Init, "state": p.State, "shared": p.Shared, "outputs": p.Outputs, "manifests": p.Manifests} {
				if strings.TrimSpace(v) != "" {
					in[k] = v
				}
			}
			if p.SupportedParams != nil {
				in["supported_params"] = toAny(p.SupportedParams)
			}
			secret = templateSecrets(p.Outputs)
		} else {
			d.Driver = "cmd"
			in["args"] = toAny(p.Args)
			secret = cmdSecrets(p.Args)
		}
		d.Inputs = in
		for _, n := range p.ExpectedOutputs {
			if paved.SecretName(n) {
				secret[n] = true
			}
		}
		names := slices.Clone(p.ExpectedOutputs)
		for k := range secret {
			if !slices.Contains(names, k) {
				names = append(names, k)
			}
		}
		slices.Sort(names)
		for _, n := range slices.Compact(names) {
			d.Outputs = append(d.Outputs, paved.OutputSpec{Name: n, Secret: secret[n]})
		}
		d.Outputs = append(d.Outputs, paved.OutputSpec{Name: paved.AnyOutput, Description: "outputs the provisioner does not list in expected_outputs"})
		out = append(out, d)
	}
	return out, warnings, nil
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

var idUnsafe = regexp.MustCompile(`[^a-z0-9]+`)

// idFor makes a definition id of a uri: its lower-case letters and digits,
// the rest as '-', at most 63 characters (a hash keeps long ones apart).
func idFor(uri string) string {
	s := strings.TrimPrefix(strings.TrimPrefix(uri, "template://"), "cmd://")
	s = strings.Trim(idUnsafe.ReplaceAllString(strings.ToLower(s), "-"), "-")
	kind := "tpl"
	if strings.HasPrefix(uri, "cmd:") {
		kind = "cmd"
	}
	s = "k8s-" + kind + "-" + s
	if len(s) > 63 || s == "k8s-"+kind+"-" {
		s = hashed(s, uri)
	}
	return s
}

// hashed shortens id and ends it with a hash of the uri.
func hashed(id, uri string) string {
	sum := sha256.Sum256([]byte(uri))
	return strings.TrimRight(id[:min(len(id), 54)], "-") + "-" + hex.EncodeToString(sum[:4])
}

// idsFor gives each provisioner its id (idFor); uris whose ids collide,
// because sanitising lost what told them apart (template://a/b and
// template://a.b), each get a hash of their uri instead.
func idsFor(provs []Provisioner) []string {
	ids := make([]string, len(provs))
	count := map[string]int{}
	for i, p := range provs {
		ids[i] = idFor(p.URI)
		count[ids[i]]++
	}
	for i, p := range provs {
		if count[ids[i]] > 1 {
			ids[i] = hashed(ids[i], p.URI)
		}
	}
	return ids
}

var (
	topKey = regexp.MustCompile(`^["']?([A-Za-z0-9_.-]+)["']?\s*:`)
	// userinfo is a URL's user:password@, written out or templated.
	userinfo = regexp.MustCompile(`://[^\s/@]*:[^\s/@]+@`)
	// field is a field or variable a template reads: .State.password, $pw.
	field = regexp.MustCompile(`[.$]([A-Za-z_][A-Za-z0-9_]*)`)
	// address is a name that holds an address, which may embed credentials.
	address = regexp.MustCompile(`(?i)(ur[il]|dsn|connection|conn[_-]?str)`)
)

// templateSecrets finds the outputs of a template:// provisioner that hold
// a secret, from the top-level keys of its outputs template: those whose
// value calls encodeSecretRef or holds the 🔐💬 marker, those whose name
// looks secret (paved.SecretName: password, secret_key, connection...), and
// addresses (uri, url, dsn) that embed credentials: a user:password@ or a
// secret-looking field such as .State.password. score-k8s' default amqp
// provisioner returns "password: {{ .State.password }}" in clear and its
// mongodb one a connection string with the password in it: both secret.
func templateSecrets(outputs string) map[string]bool {
	out := map[string]bool{}
	key := ""
	for _, line := range strings.Split(outputs, "\n") {
		if m := topKey.FindStringSubmatch(line); m != nil {
			key = m[1]
			if paved.SecretName(key) {
				out[key] = true
			}
		}
		if key == "" {
			continue
		}
		if strings.Contains(line, "encodeSecretRef") || strings.Contains(line, SecretRefPrefix) {
			out[key] = true
		}
		if address.MatchString(key) && embedsCredentials(line) {
			out[key] = true
		}
	}
	return out
}

// embedsCredentials says whether a line of an address's template puts
// credentials in it.
func embedsCredentials(line string) bool {
	if userinfo.MatchString(line) {
		return true
	}
	for _, m := range field.FindAllStringSubmatch(line, -1) {
		if paved.SecretName(m[1]) {
			return true
		}
	}
	return false
}

// cmdSecrets finds the outputs a cmd:// provisioner's arguments print as a
// secret reference: "name":"🔐💬..." (or name: 🔐💬...) in its script.
func cmdSecrets(args []string) map[string]bool {
	out := map[string]bool{}
	text := strings.Join(args, "\n")
	if !strings.Contains(text, SecretRefPrefix) {
		return out
	}
	re := regexp.MustCompile(`\\?["']?([A-Za-z0-9_.-]+)\\?["']?\s*:\s*\\?["']?` + regexp.QuoteMeta(SecretRefPrefix))
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		out[m[1]] = true
	}
	return out
}

// IsProvisionerFile says whether a file name is a provisioner file's.
func IsProvisionerFile(name string) bool {
	return strings.HasSuffix(name, Suffix)
}

// LooksLikeProvisioners tells a provisioner file from a paved definitions
// file by content: a provisioner file is a YAML list at the top.
func LooksLikeProvisioners(data []byte) bool {
	for _, line := range bytes.Split(data, []byte("\n")) {
		t := bytes.TrimSpace(line)
		if len(t) == 0 || t[0] == '#' || bytes.Equal(t, []byte("---")) {
			continue
		}
		return t[0] == '-'
	}
	return false
}

// URIKey is the metadata key that keeps a translated provisioner's uri.
const URIKey = "score-k8s.uri"

// IsTranslated says whether a definition was translated from a
// provisioner file (it keeps the uri in its metadata).
func IsTranslated(d *paved.ResourceDefinition) bool {
	return d.Metadata[URIKey] != ""
}
