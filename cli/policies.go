package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/engine"
	"paved.dev/paved/policy"
)

var packageRE = regexp.MustCompile(`(?m)^\s*package\s+([A-Za-z_][A-Za-z0-9_.]*)`)

// regoFile is one Rego module read from a file: its id is the file's name
// without .rego.
type regoFile struct{ id, module string }

// readRegoFiles reads Rego modules from files or directories of *.rego
// files, leaving out OPA's and Conftest's tests (*_test.rego).
func readRegoFiles(paths []string) ([]regoFile, error) {
	var out []regoFile
	for _, path := range paths {
		isDir, err := statPath(path)
		if err != nil {
			return nil, err
		}
		files := []string{path}
		if isDir {
			if files, err = filepath.Glob(filepath.Join(path, "*.rego")); err != nil {
				return nil, err
			}
			if len(files) == 0 {
				return nil, paved.Errorf(paved.EINVALID, "-f %s: the directory holds no .rego files", path)
			}
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.rego") {
				continue // OPA's and Conftest's tests of a policy are not policies
			}
			data, err := readLimitedFile(f, policy.MaxModule)
			if err != nil {
				return nil, err
			}
			out = append(out, regoFile{id: strings.TrimSuffix(filepath.Base(f), ".rego"), module: string(data)})
		}
	}
	return out, nil
}

// readPolicies reads Rego modules as policies: a Conftest policy when its
// package is main, a deployment policy otherwise.
func readPolicies(paths []string, owner paved.Role) ([]paved.Policy, error) {
	files, err := readRegoFiles(paths)
	if err != nil {
		return nil, err
	}
	var out []paved.Policy
	for _, f := range files {
		p := paved.Policy{ID: f.id, Owner: owner, Kind: paved.PolicyDeployment, Module: f.module}
		if m := packageRE.FindStringSubmatch(p.Module); m != nil && m[1] == "main" {
			p.Kind = paved.PolicyConftest
		}
		out = append(out, p)
	}
	return out, nil
}

func newPoliciesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "policies", Aliases: []string{"policy"}, Short: "Policy as code: the rules every deployment is judged by (security, data, finance)"}
	var files []string
	var owner string
	apply := &cobra.Command{
		Use:   "apply -f FILE_OR_DIR... [--owner ROLE]",
		Short: "Create or update policies (their owner role, or an admin); every change is a new version",
		Long: `apply reads Rego modules (*.rego; a file is a policy named by its file name) and
stores a new version of each one that changed. A module of package main is a
Conftest policy (deny, violation and warn rules over each rendered object);
any other package is a deployment policy (deny and warn rules over the whole
deployment, docs/policies.md). A module that does not compile is refused with
its line and column. --owner is the stakeholder role that owns them
(security, data, finance, or admin); without it a policy keeps its owner, and
a new one is your role's.`,
		Example: `  paved policies apply -f ./policies
  paved policies apply -f k8s.rego --owner security`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			// No --owner: the server keeps each policy's owner, and gives a
			// new one the caller's role.
			ps, err := readPolicies(files, paved.Role(owner))
			if err != nil {
				return err
			}
			out, err := c.ApplyPolicies(cmd.Context(), ps)
			if err != nil {
				return err
			}
			for _, p := range out {
				fmt.Fprintf(progress(cmd), "policy %s (%s, owned by %s): version %d\n", p.ID, p.Kind, p.Owner, p.Version)
			}
			return printDocument(cmd, out)
		},
	}
	apply.Flags().StringArrayVarP(&files, "file", "f", nil, "a .rego file or a directory of them (repeatable)")
	apply.Flags().StringVar(&owner, "owner", "", "the owning role: security, data, finance or admin (default: the policy's, or yours for a new one)")
	_ = apply.MarkFlagRequired("file")
	completeEnum(apply, "owner", "security", "data", "finance", "admin")
	addOutputFlag(apply)
	list := &cobra.Command{
		Use: "list", Short: "The policies in force: stored ones and the built-in packs", Args: cobra.NoArgs,
		Example: "  paved policies list\n  paved policies list -o yaml",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			ps, err := c.ListPolicies(cmd.Context())
			if err != nil {
				return err
			}
			return printOut(cmd, ps, func() table { return policiesTable(ps) })
		},
	}
	addOutputFlag(list)
	history := &cobra.Command{
		Use: "history ID", Short: "Every stored version of a policy", Args: cobra.ExactArgs(1),
		Example: "  paved policies history pii-regions",
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			ps, err := c.PolicyHistory(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return printOut(cmd, ps, func() table { return policiesTable(ps) })
		},
	}
	addOutputFlag(history)
	cmd.AddCommand(apply, list, history, newPolicyTestCmd())
	return cmd
}

func policiesTable(ps []paved.Policy) table {
	t := table{header: []string{"ID", "KIND", "OWNER", "VERSION", "UPDATED BY", "DESCRIPTION"}}
	for _, p := range ps {
		v := "built in"
		if p.Version > 0 {
			v = strconv.Itoa(p.Version)
		}
		t.rows = append(t.rows, []string{p.ID, string(p.Kind), string(p.Owner), v, orDash(p.UpdatedBy), orDash(p.Description)})
	}
	return t
}

// newPolicyTestCmd judges Score files as a deployment would be, without a
// server: for an app repository's CI.
func newPolicyTestCmd() *cobra.Command {
	var files, dirs, defDirs, registries, regions []string
	var app, env, envType string
	var spec specFlags
	cmd := &cobra.Command{
		Use:   "test -f SCORE_FILE... --app APP --env ENV [--env-type TYPE] [--policies DIR]...",
		Short: "Judge Score files by the policies, without a server (for CI); exits 6 on a deny",
		Long: `test renders the Score files as paved render does (built-in definitions and
--definitions) and evaluates the built-in packs and the policies in --policies
directories over the result, as the server does before a deployment
provisions anything. It lists every finding and exits 6 when one denies.`,
		Example: `  paved policies test -f score.yaml --app shop --env dev
  paved policies test -f ./workloads --app shop --env staging --env-type staging --policies ./policies`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, err := offlineEngine()
			if err != nil {
				return err
			}
			_, defs, err := readDefinitionFiles(cmd, defDirs, nil)
			if err != nil {
				return err
			}
			sources, err := scoreSources(files)
			if err != nil {
				return err
			}
			opts, err := spec.options()
			if err != nil {
				return err
			}
			opts.Several = len(sources) > 1
			if err := spec.checkSources(opts, sources); err != nil {
				return err
			}
			dc := paved.DeployContext{App: app, Env: env, EnvType: paved.EnvType(envType)}
			res, err := eng.Run(cmd.Context(), engine.Request{Sources: sources, Options: opts, Definitions: defs, Context: dc, Log: func(string) {}})
			if err != nil {
				return err
			}
			stored, err := readPolicies(dirs, paved.RoleAdmin)
			if err != nil {
				return err
			}
			ps := paved.PoliciesInForce(stored, policy.Builtin())
			specs := map[string]string{}
			for _, s := range sources {
				data, err := os.ReadFile(s.Path)
				if err != nil {
					return err
				}
				specs[filepath.Base(s.Path)] = string(data)
			}
			plan, used := policy.PlanOf(res.Graph)
			dr, err := dataRegions(regions)
			if err != nil {
				return err
			}
			settings := map[string]any{"allowed_registries": anySlice(registries), "regions": map[string]any{}}
			for class, rs := range dr {
				settings["regions"].(map[string]any)[class] = anySlice(rs)
			}
			in := &paved.GateInput{
				App: &paved.App{Name: app}, Env: &paved.Environment{Name: env, Type: paved.EnvType(envType), Namespace: res.Graph.Context.Namespace},
				Specs: specs, Objects: policy.Redact(res.Objects), Plan: plan, Definitions: used, Settings: settings,
			}
			fs, err := policy.New(0).Evaluate(cmd.Context(), ps, in)
			if err != nil {
				return err
			}
			denied := 0
			for _, f := range fs {
				if f.Level == paved.FindingDeny {
					denied++
				}
			}
			err = nil
			if denied > 0 {
				err = paved.Errorf(paved.EFORBIDDEN, "%d of %d findings deny the deployment", denied, len(fs))
			}
			if perr := printOut(cmd, fs, func() table {
				t := table{header: []string{"LEVEL", "RULE", "OWNER", "MESSAGE"}}
				for _, f := range fs {
					t.rows = append(t.rows, []string{string(f.Level), f.Rule, string(f.Owner), f.Message})
				}
				return t
			}); perr != nil {
				return perr
			}
			if len(fs) == 0 && !structured(cmd) {
				fmt.Fprintf(cmd.OutOrStdout(), "no findings: %d policies passed\n", len(ps))
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVarP(&files, "file", "f", nil, "Score file, or a directory of them (repeatable)")
	fl.StringVar(&app, "app", "", "app name")
	fl.StringVar(&env, "env", "dev", "environment name")
	fl.StringVar(&envType, "env-type", "development", "environment type: "+paved.EnvTypeList())
	fl.StringArrayVar(&dirs, "policies", nil, "a .rego file or a directory of them, besides the built-in packs (repeatable)")
	fl.StringArrayVar(&defDirs, "definitions", nil, "directory of resource definitions (repeatable)")
	fl.StringSliceVar(&registries, "allowed-registries", nil, "as the server's --allowed-registries")
	fl.StringArrayVar(&regions, "data-regions", nil, "as the server's --data-regions, CLASS=REGION,REGION (repeatable)")
	spec.add(fl)
	_ = cmd.MarkFlagRequired("file")
	_ = cmd.MarkFlagRequired("app")
	addOutputFlag(cmd)
	return cmd
}

func anySlice(xs []string) []any {
	out := make([]any, 0, len(xs))
	for _, x := range xs {
		out = append(out, x)
	}
	return out
}
