package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
)

func newEnvCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "env", Aliases: []string{"envs"}, Short: "Manage an app's environments"}
	var app string
	sub := []*cobra.Command{newEnvCreateCmd(), newEnvListCmd(&app), newEnvDeleteCmd(&app), newEnvExtendCmd(&app), newEnvPromoteCmd(&app)}
	for _, s := range sub[1:] {
		s.Flags().StringVar(&app, "app", "", "app name")
		_ = s.MarkFlagRequired("app")
		completeFlag(s, "app", completeApps)
	}
	cmd.AddCommand(sub...)
	return cmd
}

// envCreated is what env create -o json|yaml prints: the environment and,
// for a clone, its first deployment.
type envCreated struct {
	Environment *paved.Environment `json:"environment"`
	Deployment  *report            `json:"deployment,omitempty"`
}

func newEnvCreateCmd() *cobra.Command {
	var app, typ, from, target string
	var ttl time.Duration
	var values []string
	var w waitFlags
	create := &cobra.Command{
		Use:   "create NAME --app APP [--type TYPE] [--from ENV --ttl 48h]",
		Short: "Create an environment, optionally a preview cloned from another",
		Long: `Types: development, staging, ephemeral (expires after --ttl, default 72h) and
production (refused while the server runs in MVP mode). Without --type, a name
that is a type gets that type (staging is staging, production is production),
--from makes it ephemeral, and any other name is development: the command
says so.

With --from the new environment gets the latest successful deployment of that
environment, deployed with its own resource definitions, and the command
follows that deployment as deploy does (--no-wait, --timeout, exit codes).
-o json|yaml prints {"environment": ..., "deployment": ...}.`,
		Example: `  paved env create dev --app shop
  paved env create staging --app shop
  paved env create qa --app shop --type staging
  paved env create pr-42 --app shop --from dev --ttl 48h -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			vals, err := keyValues("--value", values)
			if err != nil {
				return err
			}
			e, err := c.CreateEnvironment(cmd.Context(), &paved.EnvironmentRequest{App: app, Name: args[0], Type: paved.EnvType(typ), TTL: paved.Duration(ttl), From: from, Values: vals, Target: target})
			if err != nil {
				return err
			}
			out := progress(cmd)
			msg := fmt.Sprintf("environment %s of %s created (%s, namespace %s, target %s)", e.Name, e.App, e.Type, e.Namespace, e.Target)
			if e.ExpiresAt != nil {
				msg += ", expires " + e.ExpiresAt.Format(time.RFC3339)
			}
			fmt.Fprintln(out, msg)
			if typ == "" && from == "" && !paved.EnvType(e.Name).Valid() {
				fmt.Fprintf(out, "note: %s is a %s environment because no --type was given and its name is not a type; give --type (%s) to choose\n", e.Name, e.Type, paved.EnvTypeList())
			}
			doc := envCreated{Environment: e}
			var ferr error
			if from != "" {
				ds, err := c.ListDeployments(cmd.Context(), paved.DeploymentFilter{App: app, Env: e.Name, Limit: 1})
				if err != nil {
					return err
				}
				if len(ds) == 0 {
					return paved.Errorf(paved.EINTERNAL, "environment %s was created from %s, but its deployment is not listed", e.Name, from)
				}
				doc.Deployment, ferr = track(cmd, c, &ds[0], w)
			}
			if err := printDocument(cmd, doc); err != nil && ferr == nil {
				ferr = err
			}
			return ferr
		},
	}
	create.Flags().StringVar(&app, "app", "", "app name")
	_ = create.MarkFlagRequired("app")
	create.Flags().StringVar(&typ, "type", "", "development, staging, ephemeral or production (default: the name if it is a type, ephemeral with --from, else development)")
	create.Flags().StringVar(&from, "from", "", "clone the latest successful deployment of this environment")
	create.Flags().DurationVar(&ttl, "ttl", 0, "lifetime of an ephemeral environment (default 72h)")
	create.Flags().StringVar(&target, "target", "", "registered target (a cluster; see paved targets list); default: the server's GitOps repository")
	create.Flags().StringArrayVar(&values, "value", nil, "environment value NAME=VALUE for the environment resource type (repeatable)")
	w.add(create)
	addOutputFlag(create)
	completeFlag(create, "app", completeApps)
	completeFlag(create, "from", completeEnvs)
	completeFlag(create, "target", completeTargets)
	completeEnum(create, "type", envTypeNames()...)
	return create
}

func newEnvListCmd(app *string) *cobra.Command {
	list := &cobra.Command{
		Use: "list --app APP", Short: "List an app's environments", Args: cobra.NoArgs,
		Example: "  paved env list --app shop\n  paved env list --app shop -o yaml",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			es, err := c.ListEnvironments(cmd.Context(), *app)
			if err != nil {
				return err
			}
			return printOut(cmd, es, func() table {
				t := table{header: []string{"NAME", "TYPE", "NAMESPACE", "TARGET", "HEALTH", "EXPIRES"}}
				for _, e := range es {
					exp, health := "-", "-"
					if e.ExpiresAt != nil {
						exp = e.ExpiresAt.Format(time.RFC3339)
					}
					if e.Health != nil {
						health = string(e.Health.Status)
					}
					t.rows = append(t.rows, []string{e.Name, string(e.Type), e.Namespace, e.Target, health, exp})
				}
				return t
			})
		},
	}
	addOutputFlag(list)
	return list
}

func newEnvDeleteCmd(app *string) *cobra.Command {
	var force bool
	del := &cobra.Command{
		Use:   "delete NAME --app APP [--force]",
		Short: "Delete an environment: its objects leave the target and its resources are deprovisioned",
		Long: `delete removes what paved applied to the environment's target, deprovisions
its resources, then forgets the environment. A failure stops there and keeps
the environment, so that deleting again retries.

--force is for an environment whose target is gone (a deleted cluster, a
removed registration): what paved cannot reach is forgotten instead of
stopping the deletion, and the command lists it, since it may still exist.
Resources it can reach are still deprovisioned; the audit log keeps the
deletion either way.`,
		Example: `  paved env delete pr-42 --app shop
  paved env delete old-dev --app shop --force`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: onlyFirst(completeEnvs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			d, err := c.DeleteEnvironment(cmd.Context(), *app, args[0], paved.DeleteOptions{Force: force})
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "environment %s of %s deleted: %s\n", d.Env, d.App, describeDeletion(d))
			return printDocument(cmd, d)
		},
	}
	del.Flags().BoolVar(&force, "force", false, "forget what cannot be reached (a target that is gone) instead of stopping")
	addOutputFlag(del)
	return del
}

func newEnvExtendCmd(app *string) *cobra.Command {
	var ttl time.Duration
	extend := &cobra.Command{
		Use:               "extend NAME --app APP --ttl DURATION",
		Short:             "Make an ephemeral environment expire later: --ttl from now, within the server's maximum",
		Example:           `  paved env extend pr-42 --app shop --ttl 24h`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: onlyFirst(completeEnvs),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			e, err := c.ExtendEnvironment(cmd.Context(), *app, args[0], paved.Duration(ttl))
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "environment %s of %s now expires %s\n", e.Name, e.App, e.ExpiresAt.Format(time.RFC3339))
			return printDocument(cmd, e)
		},
	}
	extend.Flags().DurationVar(&ttl, "ttl", 0, "how long from now the environment lives, such as 24h")
	_ = extend.MarkFlagRequired("ttl")
	addOutputFlag(extend)
	return extend
}

func newEnvPromoteCmd(app *string) *cobra.Command {
	var w waitFlags
	promote := &cobra.Command{
		Use:   "promote FROM TO --app APP",
		Short: "Deploy what last succeeded in FROM to TO, with TO's resource definitions",
		Long: `promote queues a deployment of FROM's latest successful specs (and their
commit) to TO, provisioned with TO's resource definitions, and follows it as
deploy does (-o json|yaml, --no-wait, --timeout, exit codes). TO must exist:
the error gives the command that creates it.`,
		Example: `  paved env create staging --app shop
  paved env promote dev staging --app shop
  paved env promote dev staging --app shop -o json --timeout 15m`,
		Args: cobra.ExactArgs(2),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 1 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return complete(completeEnvs)(cmd, args, toComplete)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			d, err := c.Promote(cmd.Context(), *app, args[0], args[1])
			if err != nil {
				return err
			}
			return follow(cmd, c, d, w)
		},
	}
	w.add(promote)
	addOutputFlag(promote)
	return promote
}
