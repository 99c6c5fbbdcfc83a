package cli

import (
	"maps"
	"slices"
	"strings"

	"github.com/score-spec/score-go/framework"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"paved.dev/paved"
	"paved.dev/paved/engine"
	"paved.dev/paved/score"
)

// specFlags are the flags that change Score files as they are read, the
// same for render, plan and deploy (and named as score-compose and
// score-k8s name theirs).
type specFlags struct {
	images        []string
	overrides     []string
	overrideFiles []string
}

func (f *specFlags) add(fl *pflag.FlagSet) {
	fl.StringArrayVar(&f.images, "image", nil, "image for containers whose image is \".\", or CONTAINER=IMAGE for the container of that name (repeatable)")
	fl.StringArrayVar(&f.overrides, "override-property", nil, "override a spec property, path=value (YAML value; empty deletes), applied to every file (repeatable)")
	fl.StringArrayVar(&f.overrideFiles, "override-file", nil, "YAML file merged into every spec before the property overrides: maps merge, null deletes (repeatable)")
}

// options turns the flags into load options.
func (f *specFlags) options() (score.Options, error) {
	opts := score.Options{Overrides: f.overrides}
	for _, img := range f.images {
		name, image, named := strings.Cut(img, "=")
		switch {
		case !named && opts.Image != "":
			return opts, paved.Errorf(paved.EINVALID, "--image %s: an image for the containers whose image is \".\" is given twice (%s); name a container with --image CONTAINER=IMAGE", img, opts.Image)
		case !named:
			opts.Image = img
		case name == "" || image == "":
			return opts, paved.Errorf(paved.EINVALID, "--image %q: write IMAGE, or CONTAINER=IMAGE", img)
		default:
			if opts.Images == nil {
				opts.Images = map[string]string{}
			}
			opts.Images[name] = image
		}
	}
	for _, path := range f.overrideFiles {
		data, err := readLimitedFile(path, score.MaxFileSize)
		if err != nil {
			return opts, paved.Errorf(paved.EINVALID, "--override-file %s", paved.ErrorMessage(err))
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			return opts, paved.Errorf(paved.EINVALID, "--override-file %s: not a YAML mapping: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		opts.OverrideFiles = append(opts.OverrideFiles, m)
	}
	return opts, nil
}

// checkNamed refuses what names a container or resource that no Score
// file has, so that a typo is not silently ignored: --image CONTAINER=IMAGE
// always, and the overrides of a named container or resource when they
// apply to several files (each applies only where the name exists).
func (f *specFlags) checkNamed(opts score.Options, specs [][]byte) error {
	have := map[string]map[string]bool{"containers": {}, "resources": {}}
	dot := false // a container's image is "."
	for _, data := range specs {
		var spec struct {
			Containers map[string]any `yaml:"containers"`
			Resources  map[string]any `yaml:"resources"`
		}
		_ = yaml.Unmarshal(data, &spec) // loading the spec names what is wrong with it
		for name, c := range spec.Containers {
			have["containers"][name] = true
			if c, ok := c.(map[string]any); ok && c["image"] == "." {
				dot = true
			}
		}
		for name := range spec.Resources {
			have["resources"][name] = true
		}
	}
	missing := func(what, section, name string) error {
		noun := strings.TrimSuffix(section, "s")
		return paved.Errorf(paved.EINVALID, "%s: no workload has a %s named %s (they have %s)", what, noun, name, orNone(slices.Sorted(maps.Keys(have[section]))))
	}
	if opts.Image != "" && !dot {
		return paved.Errorf(paved.EINVALID, "--image %s: no container's image is \".\", the image --image IMAGE replaces; name the container with --image CONTAINER=IMAGE (they are %s)", opts.Image, orNone(slices.Sorted(maps.Keys(have["containers"]))))
	}
	for _, name := range slices.Sorted(maps.Keys(opts.Images)) {
		if !have["containers"][name] {
			return missing("--image "+name+"="+opts.Images[name], "containers", name)
		}
	}
	if !opts.Several {
		return nil
	}
	for _, o := range opts.Overrides {
		path, _, _ := strings.Cut(o, "=")
		parts := framework.ParseDotPathParts(path)
		if len(parts) >= 2 && score.NamedSection(parts[0]) && !have[parts[0]][parts[1]] {
			return missing("--override-property "+o, parts[0], parts[1])
		}
	}
	for i, m := range opts.OverrideFiles {
		for _, section := range []string{"containers", "resources"} {
			sub, _ := m[section].(map[string]any)
			for _, name := range slices.Sorted(maps.Keys(sub)) {
				if !have[section][name] {
					return missing("--override-file "+f.overrideFiles[i], section, name)
				}
			}
		}
	}
	return nil
}

func orNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// checkSources is checkNamed over Score files on disk.
func (f *specFlags) checkSources(opts score.Options, sources []engine.Source) error {
	if len(opts.Images) == 0 && opts.Image == "" && !opts.Several {
		return nil
	}
	var specs [][]byte
	for _, s := range sources {
		data, err := readLimitedFile(s.Path, score.MaxFileSize)
		if err != nil {
			return err
		}
		specs = append(specs, data)
	}
	return f.checkNamed(opts, specs)
}
