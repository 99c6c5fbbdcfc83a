package cli

import (
	"maps"
	"slices"
	"strings"

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

// checkImages refuses --image CONTAINER=IMAGE naming a container that no
// Score file has, so that a typo is not silently ignored.
func checkImages(opts score.Options, specs [][]byte) error {
	if len(opts.Images) == 0 {
		return nil
	}
	have := map[string]bool{}
	for _, data := range specs {
		var spec struct {
			Containers map[string]any `yaml:"containers"`
		}
		_ = yaml.Unmarshal(data, &spec) // loading the spec names what is wrong with it
		for name := range spec.Containers {
			have[name] = true
		}
	}
	for _, name := range slices.Sorted(maps.Keys(opts.Images)) {
		if !have[name] {
			return paved.Errorf(paved.EINVALID, "--image %s=%s: no workload has a container named %s (they have %s)", name, opts.Images[name], name, strings.Join(slices.Sorted(maps.Keys(have)), ", "))
		}
	}
	return nil
}

// checkSourceImages is checkImages over Score files on disk.
func checkSourceImages(opts score.Options, sources []engine.Source) error {
	if len(opts.Images) == 0 {
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
	return checkImages(opts, specs)
}
