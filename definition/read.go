package definition

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"

	"paved.dev/paved"
	"paved.dev/paved/scorek8s"
)

// Files are what definition files and directories hold: paved definitions,
// and score-k8s provisioners still to translate.
type Files struct {
	Definitions  []paved.ResourceDefinition
	Provisioners []scorek8s.Provisioner
}

// Read reads definition files and directories, in the order given. A
// directory is read in name order: its *.yaml and *.yml files, except that
// a directory holding score-k8s provisioner files (*.provisioners.yaml, as
// .score-k8s does) is read as score-k8s reads it, those files only, so that
// score-k8s' state.yaml beside them is left alone.
func Read(paths ...string) (*Files, error) {
	out := &Files{}
	for _, path := range paths {
		st, err := os.Stat(path)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "definitions %s: %v", path, err)
		}
		files := []string{path}
		if st.IsDir() {
			if files, err = dirFiles(path); err != nil {
				return nil, err
			}
		}
		for _, f := range files {
			if err := out.readFile(f); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// dirFiles lists the files of dir to read, in name order.
func dirFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "definitions directory %s: %v", dir, err)
	}
	var yamls, provs []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")) {
			continue
		}
		yamls = append(yamls, filepath.Join(dir, name))
		if scorek8s.IsProvisionerFile(name) {
			provs = append(provs, filepath.Join(dir, name))
		}
	}
	if len(provs) == 0 {
		return yamls, nil
	}
	// A score-k8s directory: the other YAML files are score-k8s' own
	// (state.yaml), unless they hold paved definitions, which are refused
	// rather than silently left out.
	for _, f := range yamls {
		if scorek8s.IsProvisionerFile(f) {
			continue
		}
		data, err := scorek8s.ReadLimited(f)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "%s: %v", f, err)
		}
		if bytes.Contains(data, []byte(APIVersion)) && bytes.Contains(data, []byte(Kind)) {
			return nil, paved.Errorf(paved.EINVALID, "%s: paved definitions in a directory of score-k8s provisioner files (*%s), which is read as score-k8s reads it, those files only; move the definitions to a directory of their own and give both with -f", f, scorek8s.Suffix)
		}
	}
	return provs, nil
}

func (f *Files) readFile(path string) error {
	data, err := scorek8s.ReadLimited(path)
	if err != nil {
		return paved.Errorf(paved.EINVALID, "%s: %v", path, err)
	}
	if scorek8s.IsProvisionerFile(path) || scorek8s.LooksLikeProvisioners(data) {
		p, err := scorek8s.Parse(path, data)
		if err != nil {
			return err
		}
		f.Provisioners = append(f.Provisioners, p...)
		return nil
	}
	d, err := parseDefinitions(path, data)
	if err != nil {
		return err
	}
	f.Definitions = append(f.Definitions, d...)
	return nil
}

// All returns the paved definitions, then the provisioners translated
// together (scorek8s.Translate), so that their priorities keep score-k8s'
// first match in the order the files were given and read; and the
// translation's warnings (a uri used twice), for the user to see.
func (f *Files) All() ([]paved.ResourceDefinition, []string, error) {
	defs := append([]paved.ResourceDefinition(nil), f.Definitions...)
	if len(f.Provisioners) == 0 {
		return defs, nil, nil
	}
	d, warnings, err := scorek8s.Translate(f.Provisioners)
	if err != nil {
		return nil, nil, err
	}
	return append(defs, d...), warnings, nil
}

// ReadDir reads a definitions directory (see Read) and translates its
// provisioners, for callers that show no warnings (tests, the defaults).
func ReadDir(dir string) ([]paved.ResourceDefinition, error) {
	f, err := Read(dir)
	if err != nil {
		return nil, err
	}
	defs, _, err := f.All()
	return defs, err
}
