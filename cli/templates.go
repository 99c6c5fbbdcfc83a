package cli

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/scaffold"
)

func newTemplatesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "templates", Aliases: []string{"template"}, Short: "Golden-path templates that paved new scaffolds services from"}
	var dir string
	apply := &cobra.Command{
		Use:   "apply -f DIR",
		Short: "Store a new version of a template from its folder (admin)",
		Long: `apply reads a template's folder: template.yaml (name, version, description,
owner, parameters as a JSON Schema) and every other file; files ending in
.tmpl are Go templates (the template driver's functions: sprig's hermetic
ones), the others are copied as they are; every file is kept, hidden ones too,
but .git/. The version must be newer than the latest; applying the same version
with the same content changes nothing.`,
		Example: "  paved templates apply -f ./templates/go-service",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := scaffold.LoadDir(dir)
			if err != nil {
				return err
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			out, err := c.ApplyTemplate(cmd.Context(), t)
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "template %s %s applied (%d files)\n", out.Name, out.Version, len(t.Files))
			return printDocument(cmd, out)
		},
	}
	apply.Flags().StringVarP(&dir, "file", "f", "", "the template's folder (with template.yaml)")
	_ = apply.MarkFlagRequired("file")
	addOutputFlag(apply)
	list := &cobra.Command{
		Use: "list", Short: "The latest version of every template, stored or built in", Args: cobra.NoArgs,
		Example: "  paved templates list\n  paved templates list -o json",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			ts, err := c.ListTemplates(cmd.Context())
			if err != nil {
				return err
			}
			return printOut(cmd, ts, func() table { return templateTable(ts) })
		},
	}
	addOutputFlag(list)
	history := &cobra.Command{
		Use: "history NAME", Short: "Every version of a template, oldest first", Args: cobra.ExactArgs(1),
		Example: "  paved templates history go-service",
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			ts, err := c.TemplateHistory(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return printOut(cmd, ts, func() table { return templateTable(ts) })
		},
	}
	addOutputFlag(history)
	cmd.AddCommand(apply, list, history)
	return cmd
}

func templateTable(ts []paved.Template) table {
	t := table{header: []string{"NAME", "VERSION", "OWNER", "SOURCE", "APPLIED", "DESCRIPTION"}}
	for _, tpl := range ts {
		source, at := "stored", ""
		if tpl.BuiltIn {
			source = "built-in"
		}
		if !tpl.CreatedAt.IsZero() {
			at = tpl.CreatedAt.Format(time.RFC3339) + " by " + tpl.AppliedBy
		}
		t.rows = append(t.rows, []string{tpl.Name, tpl.Version, tpl.Owner, source, at, tpl.Description})
	}
	return t
}

func newNewCmd() *cobra.Command {
	var (
		req            paved.RenderRequest
		params         []string
		dir            string
		deploy         bool
		images         specFlags
		w              waitFlags
		deployEnv      = "dev"
		deployEnvTypes = paved.EnvDevelopment
	)
	cmd := &cobra.Command{
		Use:   "new --template NAME --name APP --team TEAM [--param KEY=VALUE]... [--dir DIR] [--deploy]",
		Short: "Scaffold a new service from a golden-path template, as a Git repository",
		Long: `new checks the parameters against the template's JSON Schema, renders its
files into a new Git repository (DIR, ./APP by default: new or empty) with an
initial commit, registers the app for the team and records the scaffold
(with the time it saves, for the adoption reports). .paved/template.yaml
records the template, its version, the parameters and each file's digest, for
paved upgrade. --deploy then deploys the new service's score.yaml to its dev
environment (created when missing) as paved deploy does; the built-ins' say
image: . (the image their CI builds and gives with --image), so --deploy
takes --image IMAGE.

Nothing is written when a parameter is unknown or fails the schema, the
template or version is unknown, DIR is not empty, or --deploy would have no
image to deploy.`,
		Example: `  paved new --template go-service --name orders --team payments
  paved new --template go-service --name orders --team payments --param port=9090 --dir ./orders --deploy --image ghcr.io/acme/orders:dev
  paved new --template python-worker --name mailer --team payments --param queue=mail --version 1.0.0`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				dir = req.Name
			}
			if err := scaffold.CheckTarget(dir); err != nil {
				return err
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			t, err := c.GetTemplate(cmd.Context(), req.Template, req.Version)
			if err != nil {
				return err
			}
			kvs, err := keyValues("--param", params)
			if err != nil {
				return err
			}
			if req.Params, err = scaffold.ParseParams(t, kvs); err != nil {
				return err
			}
			req.Version = t.Version
			if deploy {
				if err := checkDeployImage(t, &req, &images); err != nil {
					return err
				}
			} else if len(images.images) > 0 {
				return paved.Errorf(paved.EINVALID, "--image: only with --deploy")
			}
			res, err := c.Scaffold(cmd.Context(), &req)
			if err != nil {
				return err
			}
			me := "paved"
			if u, err := c.WhoAmI(cmd.Context()); err == nil {
				me = u.Name
			}
			sha, err := scaffold.InitRepo(dir, &res.Rendering, scaffold.Author(me, time.Now()))
			if err != nil {
				return fmt.Errorf("the app %s is registered, but writing its repository failed: %w", req.Name, err)
			}
			out := progress(cmd)
			fmt.Fprintf(out, "scaffolded %s from %s %s into %s (%d files, commit %s); app %s registered for team %s; it saved %v by the platform's reckoning\n",
				req.Name, res.Rendering.Template, res.Rendering.Version, dir, len(res.Rendering.Files), short(sha), req.Name, req.Team, time.Duration(res.Scaffold.TimeSaved))
			if !deploy {
				fmt.Fprintf(out, "next: cd %s && paved deploy -f score.yaml --app %s --env %s\n", dir, req.Name, deployEnv)
				return printDocument(cmd, res.Scaffold)
			}
			return deployScaffold(cmd, c, filepath.Join(dir, "score.yaml"), req.Name, deployEnv, deployEnvTypes, images, w)
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.Template, "template", "", "the golden-path template (paved templates list)")
	f.StringVar(&req.Version, "version", "", "the template's version (default: the latest)")
	f.StringVar(&req.Name, "name", "", "the new service's app name")
	f.StringVar(&req.Team, "team", "", "the team that owns it")
	f.StringArrayVar(&params, "param", nil, "a template parameter KEY=VALUE (repeatable)")
	f.StringVar(&dir, "dir", "", "where to write the repository: a new or empty folder (default ./APP)")
	f.BoolVar(&deploy, "deploy", false, "deploy it to dev once scaffolded (with --image when its score.yaml says image: .)")
	f.StringArrayVar(&images.images, "image", nil, "with --deploy: the image for containers whose image is \".\" (the built-ins'), or CONTAINER=IMAGE (repeatable)")
	w.add(cmd)
	for _, name := range []string{"template", "name", "team"} {
		_ = cmd.MarkFlagRequired(name)
	}
	addOutputFlag(cmd)
	return cmd
}

// deployScaffold deploys a new repository's score.yaml as paved deploy
// does, creating the environment first when the app has none of its name.
func deployScaffold(cmd *cobra.Command, c *api.Client, spec, app, env string, typ paved.EnvType, images specFlags, w waitFlags) error {
	if _, err := c.GetEnvironment(cmd.Context(), app, env); paved.ErrorCode(err) == paved.ENOTFOUND {
		if _, err := c.CreateEnvironment(cmd.Context(), &paved.EnvironmentRequest{App: app, Name: env, Type: typ}); err != nil {
			return err
		}
		fmt.Fprintf(progress(cmd), "environment %s/%s created\n", app, env)
	} else if err != nil {
		return err
	}
	f := &deployFlags{files: []string{spec}, app: app, env: env, spec: images}
	req, err := f.request(cmd)
	if err != nil {
		return err
	}
	d, err := c.Deploy(cmd.Context(), req)
	if err != nil {
		return err
	}
	return follow(cmd, c, d, w)
}

// checkDeployImage refuses, before anything is scaffolded, a --deploy
// that would deploy no runnable image: the template's score.yaml (rendered
// here as the server will) says image: . (the image CI builds) and no
// --image gives one, or an --image matches no container.
func checkDeployImage(t *paved.Template, req *paved.RenderRequest, images *specFlags) error {
	r, err := scaffold.Render(t, req)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(r.Files, func(f paved.TemplateFile) bool { return f.Path == "score.yaml" })
	if i < 0 {
		return paved.Errorf(paved.EINVALID, "--deploy: template %s %s writes no score.yaml to deploy", t.Name, t.Version)
	}
	opts, err := images.options()
	if err != nil {
		return err
	}
	spec := []byte(r.Files[i].Content)
	if err := images.checkNamed(opts, [][]byte{spec}); err != nil {
		return err
	}
	var s struct {
		Containers map[string]struct {
			Image string `yaml:"image"`
		} `yaml:"containers"`
	}
	if err := yaml.Unmarshal(spec, &s); err != nil {
		return paved.Errorf(paved.EINVALID, "--deploy: the score.yaml of template %s %s: %v", t.Name, t.Version, err)
	}
	for _, name := range slices.Sorted(maps.Keys(s.Containers)) {
		if _, named := opts.Images[name]; s.Containers[name].Image == "." && opts.Image == "" && !named {
			return paved.Errorf(paved.EINVALID, "--deploy: container %s of score.yaml has image \".\", the image CI builds; give the image to deploy now with --image IMAGE (one you built and pushed: docker build -t REGISTRY/%s:dev .)", name, req.Name)
		}
	}
	return nil
}

func newUpgradeCmd() *cobra.Command {
	var to, dir string
	var plan bool
	var params, unset []string
	cmd := &cobra.Command{
		Use:   "upgrade [--to VERSION] [--param KEY=VALUE]... [--unset KEY]... [--plan] [--dir DIR]",
		Short: "Bring a scaffolded repository to a newer version of its golden path",
		Long: `upgrade reads .paved/template.yaml, renders the version recorded there with
the recorded parameters (base) and the new version (--to, the latest by
default) with the parameters given to paved new (ours), and merges each file
three ways with the repository's (yours): a file you never changed becomes the
new version's; one you changed is merged, with standard conflict markers where
you and the template changed the same lines; a file the new version removes is
deleted when you never changed it and kept (and listed) when you did. The
result is one commit of the upgrade's files alone. Files the template never
wrote are not touched; the files it may touch must have no uncommitted
changes, and nothing else may be staged.

Parameters: those given to paved new keep their values; the others take the
new version's defaults. --param KEY=VALUE sets one (a parameter the new
version requires, or a changed value), --unset KEY gives one back to its
default; a given parameter the new version no longer declares is dropped and
listed.

--plan lists what would change, file by file, without writing anything.
Exit codes: 0 done (or nothing to do); 4 done with conflicts to resolve (or,
with --plan, conflicts ahead); 2 the repository cannot be upgraded as it is
(no record, uncommitted or staged changes, --to older than the recorded
version, a parameter missing or invalid); 3 the template or the version is
unknown.`,
		Example: `  paved upgrade --plan
  paved upgrade
  paved upgrade --to 2.0.0 --param region=eu-west-1 --unset go_version
  paved upgrade --to 1.2.0 --dir ./orders -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			repo, err := scaffold.OpenRepo(dir)
			if err != nil {
				return err
			}
			kvs, err := keyValues("--param", params)
			if err != nil {
				return err
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			rec := repo.Record
			next, err := c.GetTemplate(cmd.Context(), rec.Template, to)
			if err != nil {
				return err
			}
			if paved.CompareVersions(next.Version, rec.Version) < 0 {
				return paved.Errorf(paved.EINVALID, "--to %s: older than the version this repository is at, %s; paved upgrade goes forward only", next.Version, rec.Version)
			}
			given, dropped, err := scaffold.NextParams(rec, next, kvs, unset)
			if err != nil {
				return err
			}
			base, err := c.RenderTemplate(cmd.Context(), &paved.RenderRequest{Template: rec.Template, Version: rec.Version, Name: rec.Name, Team: rec.Team, Params: rec.Params})
			if err != nil {
				return fmt.Errorf("rendering the recorded version %s of %s: %w", rec.Version, rec.Template, err)
			}
			ours, err := c.RenderTemplate(cmd.Context(), &paved.RenderRequest{Template: rec.Template, Version: next.Version, Name: rec.Name, Team: rec.Team, Params: given})
			if err != nil {
				return paved.Errorf(paved.ErrorCode(err), "%s; give new or changed parameters with --param KEY=VALUE, one back to its default with --unset KEY", paved.ErrorMessage(err))
			}
			u, err := scaffold.PlanUpgrade(cmd.Context(), rec, base, ours, repo.Read)
			if err != nil {
				return err
			}
			u.Dropped = dropped
			out := progress(cmd)
			printUpgrade(out, u)
			if plan {
				if err := printDocument(cmd, u); err != nil {
					return err
				}
				if cs := u.Conflicts(); len(cs) > 0 {
					return paved.Errorf(paved.ECONFLICT, "the upgrade would leave conflicts in %s", strings.Join(cs, ", "))
				}
				return nil
			}
			me := "paved"
			if who, err := c.WhoAmI(cmd.Context()); err == nil {
				me = who.Name
			}
			sha, err := repo.Apply(u, scaffold.Author(me, time.Now()))
			if err != nil {
				return err
			}
			if sha == "" {
				fmt.Fprintf(out, "nothing to upgrade: already at %s %s\n", u.Template, u.To)
			} else {
				fmt.Fprintf(out, "committed %s: %s %s -> %s\n", short(sha), u.Template, u.From, u.To)
			}
			if err := printDocument(cmd, u); err != nil {
				return err
			}
			if cs := u.Conflicts(); len(cs) > 0 {
				return paved.Errorf(paved.ECONFLICT, "conflicts to resolve in %s (marked <<<<<<< yours ... >>>>>>> %s %s): edit them, then commit", strings.Join(cs, ", "), u.Template, u.To)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "the version to upgrade to (default: the latest)")
	cmd.Flags().StringArrayVar(&params, "param", nil, "set a parameter of the new version, KEY=VALUE (repeatable)")
	cmd.Flags().StringArrayVar(&unset, "unset", nil, "give a parameter back to the new version's default (repeatable)")
	cmd.Flags().BoolVar(&plan, "plan", false, "list the file-level changes without writing")
	cmd.Flags().StringVar(&dir, "dir", ".", "the scaffolded repository (or a folder in it)")
	addOutputFlag(cmd)
	return cmd
}

func printUpgrade(out interface{ Write([]byte) (int, error) }, u *scaffold.Upgrade) {
	fmt.Fprintf(out, "%s %s -> %s\n", u.Template, u.From, u.To)
	for _, c := range u.Changes {
		if c.Action == scaffold.Unchanged {
			continue
		}
		line := fmt.Sprintf("  %-9s %s", c.Action, c.Path)
		if c.Note != "" {
			line += "  (" + c.Note + ")"
		}
		fmt.Fprintln(out, line)
	}
	for _, k := range u.Dropped {
		fmt.Fprintf(out, "  dropped   parameter %s  (%s %s does not declare it)\n", k, u.Template, u.To)
	}
	if len(u.Changed()) == 0 {
		fmt.Fprintln(out, "  no file changes")
	}
}

func newScaffoldsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "scaffolds", Aliases: []string{"scaffold"}, Short: "Services scaffolded from golden paths, and the time they saved"}
	var f paved.ScaffoldFilter
	list := &cobra.Command{
		Use: "list [--team TEAM] [--template NAME]", Short: "Scaffolds, newest first, with the time they saved", Args: cobra.NoArgs,
		Example: "  paved scaffolds list\n  paved scaffolds list --team payments -o json",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			rep, err := c.ListScaffolds(cmd.Context(), f)
			if err != nil {
				return err
			}
			if err := printOut(cmd, rep, func() table {
				t := table{header: []string{"APP", "TEAM", "TEMPLATE", "VERSION", "BY", "AT", "SAVED"}}
				for _, s := range rep.Items {
					t.rows = append(t.rows, []string{s.App, s.Team, s.Template, s.Version, s.CreatedBy, s.CreatedAt.Format(time.RFC3339), time.Duration(s.TimeSaved).String()})
				}
				return t
			}); err != nil {
				return err
			}
			if !structured(cmd) {
				fmt.Fprintf(cmd.OutOrStdout(), "%d scaffold(s), %v saved\n", rep.Count, time.Duration(rep.TimeSaved))
			}
			return nil
		},
	}
	list.Flags().StringVar(&f.Team, "team", "", "only this team's")
	list.Flags().StringVar(&f.Template, "template", "", "only from this template")
	addOutputFlag(list)
	saved := &cobra.Command{
		Use:   "time-saved [DURATION]",
		Short: "Show, or set (admin), the time each new scaffold is recorded to save",
		Long: `time-saved is the platform team's assumption of what one scaffold saves a
team (setting up a repository, its build, CI, catalog entry and first
deployment by hand); each scaffold records the figure in force when it was
made, and the adoption reports sum them. 8h until set.`,
		Example: "  paved scaffolds time-saved\n  paved scaffolds time-saved 6h",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			if len(args) == 1 {
				d, err := time.ParseDuration(args[0])
				if err != nil {
					return paved.Errorf(paved.EINVALID, "DURATION: %q is not a duration such as 6h or 90m", args[0])
				}
				if err := c.SetScaffoldTimeSaved(cmd.Context(), paved.Duration(d)); err != nil {
					return err
				}
			}
			d, err := c.ScaffoldTimeSaved(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "each new scaffold saves %v\n", time.Duration(d))
			return nil
		},
	}
	cmd.AddCommand(list, saved)
	return cmd
}
