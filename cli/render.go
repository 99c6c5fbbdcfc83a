package cli

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/engine"
	"paved.dev/paved/manifest"
	"paved.dev/paved/modules"
	"paved.dev/paved/scorek8s"
)

type renderFlags struct {
	files       []string
	app, env    string
	envType     string
	namespace   string
	definitions []string
	provs       []string
	patches     []string
	noBuiltin   bool
	spec        specFlags
	values      []string
	output      string
	state       string
}

func newRenderCmd() *cobra.Command {
	f := &renderFlags{}
	cmd := &cobra.Command{
		Use:   "render -f SCORE_FILE... --app APP --env ENV",
		Short: "Render Score workloads into Kubernetes objects",
		Long: `Render loads Score workloads, matches each resource they declare to a resource
definition, provisions the resources through their drivers, and writes the
Kubernetes objects: a Namespace for the app's environment, a Deployment (or
StatefulSet) and Service per workload, ConfigMaps and Secrets for files and
secret values, and what the resources need (a PostgreSQL StatefulSet, an
HTTPRoute...). Nothing is applied anywhere.

Generated values (passwords, the seed they derive from, driver state) are kept
in a state file, so rendering again gives byte-for-byte the same output. Keep
it out of version control: it holds secrets.

Resource definitions come from the built-in defaults (non-production, in the
cluster) and from --definitions directories; see docs/resource-definitions.md.
--provisioners reads score-k8s provisioner files (*.provisioners.yaml, or a
directory of them such as .score-k8s) as definitions, translated together with
those of the --definitions directories: first match in file order among them,
as in score-k8s, and before the built-ins; a definition with criteria that match
more specifically wins over them. Their cmd:// programs run on this machine.
--patch-templates applies score-k8s patch templates to what was rendered; see
docs/score-k8s-compatibility.md.`,
		Example: `  # one workload to stdout
  paved render -f score.yaml --app shop --env dev

  # two workloads, staging definitions, one file per object
  paved render -f web.score.yaml -f api.score.yaml --app shop --env staging \
      --env-type staging --definitions ./definitions -o ./manifests

  # a placeholder image and a property override
  paved render -f score.yaml --app shop --env dev --image ghcr.io/acme/web:1.4 \
      --override-property containers.web.variables.LOG_LEVEL=debug

  # the image of a named container, and an overrides file merged in
  paved render -f examples/shop --app shop --env dev --image api=ghcr.io/acme/shop-api:1.4.2 \
      --override-file overrides.yaml

  # score-k8s provisioner files and patch templates, unchanged
  paved render -f web/score.yaml -f api/score.yaml --app shop --env dev \
      --provisioners .score-k8s --patch-templates unprivileged.tpl`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runRender(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&f.files, "file", "f", nil, "Score file, or a directory of *.yaml Score files (repeat for several workloads)")
	fl.StringVar(&f.app, "app", "", "app name (a DNS label)")
	fl.StringVar(&f.env, "env", "dev", "environment name (a DNS label)")
	fl.StringVar(&f.envType, "env-type", "development", "environment type: "+paved.EnvTypeList())
	fl.StringVar(&f.namespace, "namespace", "", "namespace to render into (default <app>-<env>)")
	fl.StringArrayVar(&f.definitions, "definitions", nil, "directory of resource definition YAML files (repeatable)")
	fl.StringArrayVar(&f.provs, "provisioners", nil, "score-k8s provisioner file or directory of *.provisioners.yaml files (repeatable; first match wins, in the order given and by file name)")
	fl.StringArrayVar(&f.patches, "patch-templates", nil, "score-k8s patch template file, or a directory of them applied in name order (repeatable)")
	fl.BoolVar(&f.noBuiltin, "no-builtin-definitions", false, "use only the definitions given with --definitions")
	f.spec.add(fl)
	fl.StringArrayVar(&f.values, "value", nil, "environment value NAME=VALUE for the environment resource type (repeatable)")
	fl.StringVarP(&f.output, "output", "o", "-", "where to write: - for stdout, a .yaml file, or a directory for one file per object")
	fl.StringVar(&f.state, "state", filepath.Join(".paved", "state.json"), "state file that keeps generated values stable")
	_ = cmd.MarkFlagRequired("file")
	_ = cmd.MarkFlagRequired("app")
	return cmd
}

// offlineEngine is the engine of the commands that run without a server:
// only the drivers that compute (template, echo).
func offlineEngine() (*engine.Engine, error) {
	reg := paved.NewRegistry()
	if err := modules.Offline(reg); err != nil {
		return nil, err
	}
	return engine.New(reg.Drivers())
}

// localEngine is offlineEngine with the cmd driver: for score-k8s cmd://
// provisioners, which run on the machine that renders.
func localEngine(cmd *cobra.Command) (*engine.Engine, error) {
	reg := paved.NewRegistry()
	if err := modules.Local(reg, slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), nil))); err != nil {
		return nil, err
	}
	return engine.New(reg.Drivers())
}

func runRender(cmd *cobra.Command, f *renderFlags) error {
	// Every provisioner, of --provisioners first and then of the
	// --definitions directories, is translated together: one first match.
	var provs []scorek8s.Provisioner
	for _, p := range f.provs {
		ps, err := scorek8s.ReadPath(p)
		if err != nil {
			return err
		}
		provs = append(provs, ps...)
	}
	_, defs, err := readDefinitionFiles(cmd, f.definitions, provs)
	if err != nil {
		return err
	}
	var patches []*scorek8s.PatchTemplate
	for _, p := range f.patches {
		ps, err := scorek8s.ReadPatchTemplates(p)
		if err != nil {
			return err
		}
		patches = append(patches, ps...)
	}
	newEngine := func() (*engine.Engine, error) { return offlineEngine() }
	if slices.ContainsFunc(defs, func(d paved.ResourceDefinition) bool {
		return scorek8s.IsTranslated(&d) && d.Driver == modules.DriverCmd
	}) {
		newEngine = func() (*engine.Engine, error) { return localEngine(cmd) }
	}
	eng, err := newEngine()
	if err != nil {
		return err
	}
	values, err := keyValues("--value", f.values)
	if err != nil {
		return err
	}
	sf, err := engine.ReadStateFile(f.state)
	if err != nil {
		return err
	}
	sources, err := scoreSources(f.files)
	if err != nil {
		return err
	}
	opts, err := f.spec.options()
	if err != nil {
		return err
	}
	opts.Several = len(sources) > 1
	if err := f.spec.checkSources(opts, sources); err != nil {
		return err
	}
	res, err := eng.Run(cmd.Context(), engine.Request{
		Sources:     sources,
		Options:     opts,
		Definitions: defs,
		Patches:     patches,
		NoBuiltin:   f.noBuiltin,
		Context:     paved.DeployContext{App: f.app, Env: f.env, EnvType: paved.EnvType(f.envType), Namespace: f.namespace, Values: values},
		State:       sf.For(f.app, f.env),
		Log:         func(msg string) { fmt.Fprintln(cmd.ErrOrStderr(), msg) },
	})
	if err != nil {
		return err
	}
	for _, w := range res.Workloads {
		for _, u := range w.Upgrades {
			fmt.Fprintf(cmd.ErrOrStderr(), "%s: upgraded a deprecated form: %s\n", w.Path, u)
		}
	}
	docs, err := manifest.MarshalEach(res.Objects)
	if err != nil {
		return err
	}
	if err := writeOutput(cmd, f.output, res.Objects, docs); err != nil {
		return err
	}
	return sf.Write(f.state)
}

func writeOutput(cmd *cobra.Command, out string, objs []paved.Object, docs [][]byte) error {
	if out == "-" || strings.HasSuffix(out, ".yaml") || strings.HasSuffix(out, ".yml") {
		var buf bytes.Buffer
		for i, d := range docs {
			if i > 0 {
				buf.WriteString("---\n")
			}
			buf.Write(d)
		}
		if out == "-" {
			_, err := cmd.OutOrStdout().Write(buf.Bytes())
			return err
		}
		return writeFileAtomic(out, buf.Bytes())
	}
	return writeDir(cmd, out, objs, docs)
}

// renderIndex lists the files paved wrote into an output directory, so that
// the next render removes those it no longer writes and nothing else.
const renderIndex = ".paved-render"

func writeDir(cmd *cobra.Command, dir string, objs []paved.Object, docs [][]byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return paved.Errorf(paved.EINVALID, "output directory %s: %w", dir, err)
	}
	var names []string
	for i, o := range objs {
		name := manifest.FileName(o.Ref())
		names = append(names, name)
		if err := writeFileAtomic(filepath.Join(dir, name), docs[i]); err != nil {
			return err
		}
	}
	old, _ := os.ReadFile(filepath.Join(dir, renderIndex))
	removed := 0
	for _, name := range strings.Split(string(old), "\n") {
		if name == "" || slices.Contains(names, name) || strings.ContainsAny(name, `/\`) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err == nil {
			removed++
		}
	}
	slices.Sort(names)
	if err := writeFileAtomic(filepath.Join(dir, renderIndex), []byte(strings.Join(names, "\n")+"\n")); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %d objects to %s", len(objs), dir)
	if removed > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), ", removed %d no longer rendered", removed)
	}
	fmt.Fprintln(cmd.ErrOrStderr())
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".paved-*")
	if err != nil {
		return paved.Errorf(paved.EINVALID, "cannot write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// scoreSources expands the -f arguments: files as given, directories to
// their *.yaml and *.yml files in name order.
func scoreSources(args []string) ([]engine.Source, error) {
	var out []engine.Source
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "-f %s: %w", a, err)
		}
		if !st.IsDir() {
			out = append(out, engine.Source{Path: a})
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "-f %s: %w", a, err)
		}
		n := len(out)
		for _, e := range entries {
			if !e.IsDir() && (strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
				out = append(out, engine.Source{Path: filepath.Join(a, e.Name())})
			}
		}
		if len(out) == n {
			return nil, paved.Errorf(paved.EINVALID, "-f %s: the directory holds no .yaml files", a)
		}
	}
	return out, nil
}
