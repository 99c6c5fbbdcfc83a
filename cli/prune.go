package cli

import (
	"bufio"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"paved.dev/paved"
)

// newPruneCmd is `paved resources prune`: the orphaned resources listed
// (a dry run), confirmed, then deprovisioned through the server.
func newPruneCmd() *cobra.Command {
	var app, env string
	var opt paved.PruneOptions
	var yes bool
	cmd := &cobra.Command{
		Use:   "prune --app APP --env ENV [--include-data] [--yes]",
		Short: "Deprovision the orphaned resources of an environment (after confirmation)",
		Long: `Prune deprovisions the environment's orphaned resources (those its workloads no
longer declare, or that another definition replaced: the plan lists them as
orphan) through their drivers, and forgets them. A resource that holds data
(a database, a cache, a bucket, a volume, a topic or queue, or one whose
definition says metadata data: "true") is kept unless --include-data is
given; in an environment of a type developers may not create (staging,
production) --include-data needs the admin role. A resource whose driver
made nothing outside the deployment's objects (template, echo; cmd without
deprovision) is only forgotten, and listed so. Active resources are never
touched.

It first lists what it would prune and keep and asks to type the
environment's name; --yes skips the question (for CI), --dry-run only lists.
The prune then removes exactly what was listed: if another resource was
orphaned meanwhile, the server refuses and nothing is removed.
Every prune is in the audit log (resource.prune).`,
		Example: `  paved resources prune --app shop --env dev --dry-run
  paved resources prune --app shop --env dev
  paved resources prune --app shop --env dev --include-data --yes -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			dry := opt
			dry.DryRun = true
			plan, err := c.PruneResources(cmd.Context(), app, env, dry)
			if err != nil {
				return err
			}
			removed := plan.Removed()
			if opt.DryRun || len(removed) == 0 {
				if len(removed) == 0 && !opt.DryRun {
					fmt.Fprintf(progress(cmd), "nothing to prune in %s/%s\n", app, env)
				}
				return printOut(cmd, plan, func() table { return pruneTable(plan) })
			}
			if !yes {
				w := progress(cmd)
				fmt.Fprintf(w, "%s/%s: %d orphaned resource(s) will be pruned:\n", app, env, len(removed))
				for _, r := range plan.Pruned {
					fmt.Fprintf(w, "  %s (%s): deprovisioned and forgotten\n", r.UID, r.Definition)
				}
				for _, r := range plan.Forgotten {
					fmt.Fprintf(w, "  %s (%s): %s\n", r.UID, r.Definition, r.Reason)
				}
				for _, r := range slices.Concat(plan.Kept, plan.InUse) {
					fmt.Fprintf(w, "  kept: %s (%s): %s\n", r.UID, r.Definition, r.Reason)
				}
				fmt.Fprintf(w, "Type the environment's name (%s) to go on: ", env)
				line, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if strings.TrimSpace(line) != env {
					return paved.Errorf(paved.EINVALID, "not confirmed: nothing was pruned (give --yes to prune without asking)")
				}
			}
			// The prune removes what was listed and confirmed, or nothing.
			opt.UIDs = removed
			res, err := c.PruneResources(cmd.Context(), app, env, opt)
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "%s/%s: %d resource(s) pruned, %d forgotten, %d kept\n", app, env, len(res.Pruned), len(res.Forgotten), len(res.Kept))
			return printOut(cmd, res, func() table { return pruneTable(res) })
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&app, "app", "", "app name")
	fl.StringVar(&env, "env", "", "environment name")
	fl.BoolVar(&opt.IncludeData, "include-data", false, "also prune orphaned resources that hold data (databases, buckets, volumes...)")
	fl.BoolVar(&opt.DryRun, "dry-run", false, "only list what would be pruned and kept")
	fl.BoolVar(&yes, "yes", false, "prune without asking")
	_ = cmd.MarkFlagRequired("app")
	_ = cmd.MarkFlagRequired("env")
	addOutputFlag(cmd)
	return cmd
}

func pruneTable(r *paved.PruneResult) table {
	t := table{header: []string{"RESOURCE", "DEFINITION", "ACTION", "REASON"}}
	action, forgot := "pruned", "forgotten"
	if r.DryRun {
		action, forgot = "would prune", "would forget"
	}
	for _, p := range r.Pruned {
		t.rows = append(t.rows, []string{string(p.UID), p.Definition.String(), action, p.Reason})
	}
	for _, p := range r.Forgotten {
		t.rows = append(t.rows, []string{string(p.UID), p.Definition.String(), forgot, p.Reason})
	}
	for _, p := range slices.Concat(r.Kept, r.InUse) {
		t.rows = append(t.rows, []string{string(p.UID), p.Definition.String(), "kept", p.Reason})
	}
	return t
}
