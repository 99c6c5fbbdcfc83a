package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

// readSpecs reads Score files (or directories of them) for the server,
// keyed by file name. Side files cannot travel this way: the server refuses
// them with a message saying so.
func readSpecs(args []string) (map[string]string, error) {
	sources, err := scoreSources(args)
	if err != nil {
		return nil, err
	}
	specs := map[string]string{}
	for _, s := range sources {
		data, err := os.ReadFile(s.Path)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "-f %s: %w", s.Path, err)
		}
		name := filepath.Base(s.Path)
		if _, dup := specs[name]; dup {
			return nil, paved.Errorf(paved.EINVALID, "-f %s: two Score files are named %s; rename one", s.Path, name)
		}
		specs[name] = string(data)
	}
	return specs, nil
}

type deployFlags struct {
	files      []string
	app, env   string
	commitSHA  string
	commitTime string
	wait       bool
}

func (f *deployFlags) request() (*paved.DeployRequest, error) {
	specs, err := readSpecs(f.files)
	if err != nil {
		return nil, err
	}
	req := &paved.DeployRequest{App: f.app, Env: f.env, Specs: specs, CommitSHA: f.commitSHA}
	if f.commitTime != "" {
		t, err := time.Parse(time.RFC3339, f.commitTime)
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "--commit-time: %q is not an RFC 3339 time such as 2026-11-25T09:00:00Z", f.commitTime)
		}
		req.CommitTime = &t
	}
	return req, nil
}

func (f *deployFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringArrayVarP(&f.files, "file", "f", nil, "Score file or directory of Score files (repeatable)")
	cmd.Flags().StringVar(&f.app, "app", "", "app name")
	cmd.Flags().StringVar(&f.env, "env", "", "environment name")
	_ = cmd.MarkFlagRequired("file")
	_ = cmd.MarkFlagRequired("app")
	_ = cmd.MarkFlagRequired("env")
}

func newDeployCmd() *cobra.Command {
	f := &deployFlags{}
	cmd := &cobra.Command{
		Use:   "deploy -f SCORE_FILE... --app APP --env ENV",
		Short: "Deploy Score workloads to an app's environment",
		Long: `deploy sends the Score files to the server, which checks them at once (a bad
spec is refused before anything is recorded), queues the deployment (one at a
time per environment), provisions the resources with the environment's
definitions, renders and applies. The command follows the deployment's events
until it ends; its exit code says whether it succeeded: 0, or 8 when the
deployment ran and failed (2 for a request refused as invalid, 5/6 for
authentication and rights, 7 when the server cannot be reached).

The files given are the environment's whole set of workloads, as Score
deploys them together: a workload deployed before and not among them is
removed (its objects pruned, its resources kept as orphans); the plan shows
it first (paved plan).`,
		Example: `  paved deploy -f examples/shop --app shop --env dev
  paved deploy -f score.yaml --app shop --env dev
  paved deploy -f ./workloads --app shop --env dev --commit-sha $GIT_SHA --commit-time 2026-11-25T09:00:00Z`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			req, err := f.request()
			if err != nil {
				return err
			}
			d, err := c.Deploy(cmd.Context(), req)
			if err != nil {
				return err
			}
			return follow(cmd, c, d, f.wait)
		},
	}
	f.add(cmd)
	cmd.Flags().StringVar(&f.commitSHA, "commit-sha", "", "the commit the specs come from")
	cmd.Flags().StringVar(&f.commitTime, "commit-time", "", "that commit's time (RFC 3339), for lead-time metrics")
	cmd.Flags().BoolVar(&f.wait, "wait", true, "follow the deployment until it ends")
	return cmd
}

// follow prints a queued deployment's events as they come and returns an
// error when it fails. A deployment whose plan went stale and was planned
// again is followed on to the one that took its place.
func follow(cmd *cobra.Command, c *api.Client, d *paved.Deployment, wait bool) error {
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "deployment %s queued for %s/%s\n", d.ID, d.App, d.Env)
	if !wait {
		return nil
	}
	var final *paved.Deployment
	for id := d.ID; id != ""; id = final.ReplacedBy {
		err := c.StreamEvents(cmd.Context(), id, 0, func(e paved.Event) error {
			fmt.Fprintf(out, "  %s %-5s %s\n", e.Time.Format("15:04:05.000"), e.Level, e.Message)
			return nil
		})
		if err != nil {
			return err
		}
		if final, err = c.GetDeployment(cmd.Context(), id); err != nil {
			return err
		}
		if final.ReplacedBy != "" {
			fmt.Fprintf(out, "deployment %s's plan went stale before it ran; following %s, planned again in its place\n", final.ID, final.ReplacedBy)
		}
	}
	if final.Status != paved.DeploymentSucceeded {
		return paved.Errorf(codeDeploymentFailed, "deployment %s %s: %s", final.ID, final.Status, final.Error)
	}
	fmt.Fprintf(out, "deployment %s succeeded: %d objects, revision %s\n", final.ID, len(final.Inventory), final.Revision)
	return nil
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
or "(known after provisioning)".`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			req, err := f.request()
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
	var wait bool
	cmd := &cobra.Command{
		Use:   "rollback DEPLOYMENT_ID",
		Short: "Re-deploy an earlier successful deployment's snapshot",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			d, err := c.Rollback(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return follow(cmd, c, d, wait)
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", true, "follow the deployment until it ends")
	return cmd
}
