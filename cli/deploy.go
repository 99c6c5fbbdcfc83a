package cli

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/score"
)

// readSpecs reads Score files (or directories of them) for the server,
// keyed by file name, with the image and override flags applied: the
// server gets, and the deployment's snapshot keeps, the specs as they run.
// Side files cannot travel this way: the server refuses them with a
// message saying so.
func readSpecs(args []string, f *specFlags) (map[string]string, error) {
	sources, err := scoreSources(args)
	if err != nil {
		return nil, err
	}
	opts, err := f.options()
	if err != nil {
		return nil, err
	}
	opts.Several = len(sources) > 1
	loader, err := score.NewLoader()
	if err != nil {
		return nil, err
	}
	specs := map[string]string{}
	paths := map[string]string{}
	var raw [][]byte
	for _, s := range sources {
		data, err := readLimitedFile(s.Path, score.MaxFileSize)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "-f %s", paved.ErrorMessage(err))
		}
		raw = append(raw, data)
		if data, err = loader.Rewrite(s.Path, data, filepath.Dir(s.Path), opts); err != nil {
			return nil, err
		}
		name := score.SpecKey(s.Path, data)
		if prev, dup := paths[name]; dup {
			return nil, paved.Errorf(paved.EINVALID, "-f %s: it and %s are both kept as %s (the same workload name); give each workload its own metadata.name", s.Path, prev, name)
		}
		specs[name], paths[name] = string(data), s.Path
	}
	if err := f.checkNamed(opts, raw); err != nil {
		return nil, err
	}
	return specs, nil
}

type deployFlags struct {
	files      []string
	app, env   string
	spec       specFlags
	commitSHA  string
	commitTime string
	noGit      bool
	fix        bool
}

// request reads the specs and says where they come from: the commit flags,
// or else the Git checkout the command runs in (or CI's variables).
func (f *deployFlags) request(cmd *cobra.Command) (*paved.DeployRequest, error) {
	specs, err := readSpecs(f.files, &f.spec)
	if err != nil {
		return nil, err
	}
	req := &paved.DeployRequest{App: f.app, Env: f.env, Specs: specs, CommitSHA: f.commitSHA, Fix: f.fix}
	if f.commitTime != "" {
		t, err := time.Parse(time.RFC3339, f.commitTime)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "--commit-time: %q is not an RFC 3339 time such as 2026-11-25T09:00:00Z", f.commitTime)
		}
		req.CommitTime = &t
	}
	if f.noGit || (req.CommitSHA != "" && req.CommitTime != nil) {
		return req, nil
	}
	sources, err := scoreSources(f.files)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, src := range sources {
		paths = append(paths, src.Path)
	}
	// The checkout the Score files are in (the first one's directory, or
	// one above it).
	found, warning, err := detectCommit(filepath.Dir(paths[0]), paths)
	if err != nil {
		return nil, err
	}
	if warning != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning:", warning)
	}
	if found.sha == "" {
		return req, nil
	}
	if req.CommitSHA != "" && req.CommitSHA != found.sha {
		// A commit named by hand has its own time, which the checkout cannot tell.
		return req, nil
	}
	req.CommitSHA = found.sha
	if req.CommitTime == nil {
		req.CommitTime = found.at
	}
	at := "no time"
	if req.CommitTime != nil {
		at = req.CommitTime.Format(time.RFC3339)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "commit %s (%s) from %s\n", short(req.CommitSHA), at, found.from)
	return req, nil
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func (f *deployFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringArrayVarP(&f.files, "file", "f", nil, "Score file or directory of Score files (repeatable)")
	cmd.Flags().StringVar(&f.app, "app", "", "app name")
	cmd.Flags().StringVar(&f.env, "env", "", "environment name")
	f.spec.add(cmd.Flags())
	cmd.Flags().StringVar(&f.commitSHA, "commit-sha", "", "the commit the specs come from (default: HEAD of the Git checkout, or $CI_COMMIT_SHA / $GITHUB_SHA)")
	cmd.Flags().StringVar(&f.commitTime, "commit-time", "", "that commit's time (RFC 3339), for lead-time metrics (default: the checkout's commit time, or $CI_COMMIT_TIMESTAMP)")
	cmd.Flags().BoolVar(&f.noGit, "no-git", false, "do not read the commit from the Git checkout or CI variables")
	_ = cmd.MarkFlagRequired("file")
	_ = cmd.MarkFlagRequired("app")
	_ = cmd.MarkFlagRequired("env")
	completeFlag(cmd, "app", completeApps)
	completeFlag(cmd, "env", completeEnvs)
}

func newDeployCmd() *cobra.Command {
	f := &deployFlags{}
	var w waitFlags
	cmd := &cobra.Command{
		Use:   "deploy -f SCORE_FILE... --app APP --env ENV",
		Short: "Deploy Score workloads to an app's environment",
		Long: `deploy sends the Score files to the server, which checks them at once (a bad
spec is refused before anything is recorded), queues the deployment (one at a
time per environment), provisions the resources with the environment's
definitions, renders and applies. The command follows the deployment's events
until it ends.

The files given are the environment's whole set of workloads, as Score
deploys them together: a workload deployed before and not among them is
removed (its objects pruned, its resources kept as orphans); the plan shows
it first (paved plan).

--image, --override-file and --override-property change the specs before
they are sent, as paved render does: the deployment's snapshot keeps the
specs as they ran. The commit is read from the Git checkout the Score files
are in (HEAD and its time; none when a Score file has uncommitted changes),
or from CI's variables, so that lead time is measured without flags;
--commit-sha and --commit-time override it. --fix marks a deployment that fixes
a failed change, for DORA's change fail rate and rework rate (paved dora).

-o json|yaml prints the deployment as it ended and its events (the events
also go to stderr as they come). Exit codes: 0 succeeded (or queued, with
--no-wait); 8 the deployment ran and failed; 10 --timeout passed first (the
deployment goes on); 2 a request refused as invalid; 3 no such app or
environment; 5/6 authentication and rights; 7 the server cannot be reached.`,
		Example: `  paved deploy -f examples/shop --app shop --env dev
  paved deploy -f score.yaml --app shop --env dev --image ghcr.io/acme/shop:1.4.2
  paved deploy -f ./workloads --app shop --env dev --image web=ghcr.io/acme/web:$GIT_SHA -o json
  paved deploy -f score.yaml --app shop --env dev --override-property containers.web.variables.LOG_LEVEL=debug --no-wait
  paved deploy -f score.yaml --app shop --env dev --commit-sha $GIT_SHA --commit-time 2026-11-25T09:00:00Z --timeout 10m
  paved deploy -f score.yaml --app shop --env staging --fix`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			req, err := f.request(cmd)
			if err != nil {
				return err
			}
			d, err := c.Deploy(cmd.Context(), req)
			if err != nil {
				return err
			}
			return follow(cmd, c, d, w)
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&f.fix, "fix", false, "this deployment fixes a failed change: the one before it counts as failed in DORA's change fail rate, and this one as rework")
	w.add(cmd)
	addOutputFlag(cmd)
	return cmd
}

func newPlanCmd() *cobra.Command {
	f := &deployFlags{}
	cmd := &cobra.Command{
		Use:   "plan -f SCORE_FILE... --app APP --env ENV",
		Short: "Show what deploying would change, without deploying",
		Long: `plan resolves the Score files with the environment's resource definitions and
compares the result with the last successful deployment and with what the
target holds now (drift): objects and resources added, changed and removed.
The files given are the environment's whole set of workloads: a workload
deployed before and not among them is removed. Drivers that create things outside the cluster
(databases on shared servers) are not run: their outputs are the ones stored,
or "(known after provisioning)". It takes the flags deploy takes (--image,
--override-file, --override-property), and -o json|yaml prints the plan.
It exits 0 whatever the plan says (2, 3, 5-7 as deploy when it cannot plan).`,
		Example: `  paved plan -f examples/shop --app shop --env dev
  paved plan -f score.yaml --app shop --env staging --image ghcr.io/acme/shop:1.4.2 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			req, err := f.request(cmd)
			if err != nil {
				return err
			}
			p, err := c.Plan(cmd.Context(), req)
			if err != nil {
				return err
			}
			format, _ := cmd.Flags().GetString("output")
			if format != formatTable && format != "" {
				return printOut(cmd, p, nil)
			}
			printPlan(cmd.OutOrStdout(), p)
			return nil
		},
	}
	f.add(cmd)
	addOutputFlag(cmd)
	return cmd
}

func indent(s, by string) string { return by + strings.ReplaceAll(s, "\n", "\n"+by) }

func newDeploymentsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "deployments", Aliases: []string{"deployment"}, Short: "List and show deployments"}
	var app, env string
	var limit int
	list := &cobra.Command{
		Use: "list --app APP [--env ENV]", Short: "List an app's deployments, newest first", Args: cobra.NoArgs,
		Example: "  paved deployments list --app shop\n  paved deployments list --app shop --env dev --limit 5 -o json",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			ds, err := c.ListDeployments(cmd.Context(), paved.DeploymentFilter{App: app, Env: env, Limit: limit})
			if err != nil {
				return err
			}
			return printOut(cmd, ds, func() table {
				t := table{header: []string{"ID", "ENV", "KIND", "STATUS", "AUTHOR", "CREATED", "OBJECTS", "NOTE"}}
				for _, d := range ds {
					note := d.Error
					if note == "" && d.Source != "" {
						note = "from " + d.Source
					}
					if note == "" {
						note = string(d.Rollout)
					}
					t.rows = append(t.rows, []string{d.ID, d.Env, string(d.Kind), string(d.Status), d.Author, d.CreatedAt.Format(time.RFC3339), strconv.Itoa(len(d.Inventory)), note})
				}
				return t
			})
		},
	}
	list.Flags().StringVar(&app, "app", "", "app name")
	list.Flags().StringVar(&env, "env", "", "only this environment")
	list.Flags().IntVar(&limit, "limit", 20, "how many")
	_ = list.MarkFlagRequired("app")
	addOutputFlag(list)
	show := &cobra.Command{
		Use: "show ID", Short: "Show a deployment and its events (Secret values redacted)", Args: cobra.ExactArgs(1),
		Example:           "  paved deployments show d-20261201-091500-ab12cd34\n  paved deployments show d-20261201-091500-ab12cd34 -o json",
		ValidArgsFunction: completeDeployments,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			d, err := c.GetDeployment(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			evs, err := c.Events(cmd.Context(), d.ID, 0)
			if err != nil {
				return err
			}
			return printOut(cmd, struct {
				*paved.Deployment
				Events []paved.Event `json:"events"`
			}{d, evs}, func() table {
				t := table{header: []string{"FIELD", "VALUE"}}
				t.rows = append(t.rows, []string{"id", d.ID}, []string{"kind", string(d.Kind)}, []string{"app/env", d.App + "/" + d.Env},
					[]string{"env type", string(d.EnvType)}, []string{"target", d.Target}, []string{"status", string(d.Status)},
					[]string{"rollout", string(d.Rollout)}, []string{"source", d.Source},
					[]string{"author", d.Author}, []string{"commit", d.CommitSHA}, []string{"revision", d.Revision}, []string{"error", d.Error})
				for _, r := range d.Inventory {
					t.rows = append(t.rows, []string{"object", r.String()})
				}
				for _, e := range evs {
					t.rows = append(t.rows, []string{"event", e.Time.Format("15:04:05.000") + " " + e.Message})
				}
				return t
			})
		},
	}
	addOutputFlag(show)
	cmd.AddCommand(list, show)
	return cmd
}

func newRollbackCmd() *cobra.Command {
	var w waitFlags
	var app, env string
	cmd := &cobra.Command{
		Use:   "rollback [DEPLOYMENT_ID | --app APP --env ENV]",
		Short: "Re-deploy an earlier successful deployment's snapshot",
		Long: `rollback queues a deployment of an earlier successful deployment's specs to its
environment, planned against what runs there now, and follows it as deploy
does (same -o, --no-wait, --timeout and exit codes). Without an id, --app and
--env roll the environment back to its last good deployment: the successful
one before the latest when the latest succeeded (twice in a row goes back and
forth, as helm rollback does), else the latest successful one.`,
		Example: `  paved rollback --app shop --env dev
  paved deployments list --app shop --env dev
  paved rollback d-20261201-091500-ab12cd34
  paved rollback d-20261201-091500-ab12cd34 --no-wait -o json`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: completeDeployments,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			var d *paved.Deployment
			switch {
			case len(args) == 1 && (app != "" || env != ""):
				return usageError{fmt.Errorf("give a deployment id, or --app and --env, not both")}
			case len(args) == 1:
				d, err = c.Rollback(cmd.Context(), args[0])
			case app == "" || env == "":
				return usageError{fmt.Errorf("give the deployment to roll back to, or --app and --env to roll back to the last good one")}
			default:
				d, err = c.RollbackEnvironment(cmd.Context(), app, env)
				if err == nil {
					fmt.Fprintf(progress(cmd), "rolling %s/%s back to %s\n", app, env, d.Source)
				}
			}
			if err != nil {
				return err
			}
			return follow(cmd, c, d, w)
		},
	}
	cmd.Flags().StringVar(&app, "app", "", "app name (with --env, instead of an id)")
	cmd.Flags().StringVar(&env, "env", "", "environment to roll back to the deployment before its latest")
	w.add(cmd)
	addOutputFlag(cmd)
	return cmd
}
