package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
)

func newAppCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "app", Short: "Manage apps"}
	var team string
	create := &cobra.Command{
		Use:     "create NAME --team TEAM",
		Short:   "Create an app owned by a team",
		Example: "  paved app create shop --team payments",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			a := &paved.App{Name: args[0], Team: team}
			if err := c.CreateApp(cmd.Context(), a); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "app %s created (team %s)\n", a.Name, a.Team)
			return nil
		},
	}
	create.Flags().StringVar(&team, "team", "", "owning team")
	_ = create.MarkFlagRequired("team")
	list := &cobra.Command{
		Use: "list", Short: "List apps", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			as, err := c.ListApps(cmd.Context())
			if err != nil {
				return err
			}
			return printOut(cmd, as, func() table {
				t := table{header: []string{"NAME", "TEAM", "CREATED"}}
				for _, a := range as {
					t.rows = append(t.rows, []string{a.Name, a.Team, a.CreatedAt.Format(time.RFC3339)})
				}
				return t
			})
		},
	}
	addOutputFlag(list)
	cmd.AddCommand(create, list)
	return cmd
}

func newEnvCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "env", Short: "Manage an app's environments"}
	var app, typ, from, target string
	var ttl time.Duration
	var values []string
	create := &cobra.Command{
		Use:   "create NAME --app APP [--type TYPE] [--from ENV --ttl 48h]",
		Short: "Create an environment, optionally a preview cloned from another",
		Long: `Types: development, staging, ephemeral (expires after --ttl, default 72h) and
production (refused while the server runs in MVP mode). Without --type, a name
that is a type gets that type (staging is staging), any other name is
development, and --from makes it ephemeral. With --from the new
environment gets the latest successful deployment of that environment, deployed
with its own resource definitions; --from alone makes an ephemeral environment.`,
		Example: `  paved env create dev --app shop
  paved env create pr-42 --app shop --from dev --ttl 48h`,
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
			msg := fmt.Sprintf("environment %s of %s created (%s, namespace %s, target %s)", e.Name, e.App, e.Type, e.Namespace, e.Target)
			if e.ExpiresAt != nil {
				msg += ", expires " + e.ExpiresAt.Format(time.RFC3339)
			}
			if from != "" {
				msg += "; deploying what runs in " + from + " (paved deployments list --app " + app + " --env " + e.Name + ")"
			}
			fmt.Fprintln(cmd.OutOrStdout(), msg)
			return nil
		},
	}
	create.Flags().StringVar(&typ, "type", "", "development, staging, ephemeral or production (default: the name if it is a type, ephemeral with --from, else development)")
	create.Flags().StringVar(&from, "from", "", "clone the latest successful deployment of this environment")
	create.Flags().DurationVar(&ttl, "ttl", 0, "lifetime of an ephemeral environment (default 72h)")
	create.Flags().StringVar(&target, "target", "", "registered target (a cluster; see paved targets list); default: the server's GitOps repository")
	create.Flags().StringArrayVar(&values, "value", nil, "environment value NAME=VALUE for the environment resource type (repeatable)")
	list := &cobra.Command{
		Use: "list --app APP", Short: "List an app's environments", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			es, err := c.ListEnvironments(cmd.Context(), app)
			if err != nil {
				return err
			}
			return printOut(cmd, es, func() table {
				t := table{header: []string{"NAME", "TYPE", "NAMESPACE", "TARGET", "EXPIRES"}}
				for _, e := range es {
					exp := "-"
					if e.ExpiresAt != nil {
						exp = e.ExpiresAt.Format(time.RFC3339)
					}
					t.rows = append(t.rows, []string{e.Name, string(e.Type), e.Namespace, e.Target, exp})
				}
				return t
			})
		},
	}
	addOutputFlag(list)
	del := &cobra.Command{
		Use:   "delete NAME --app APP",
		Short: "Delete an environment: its objects leave the target and its resources are deprovisioned",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			if err := c.DeleteEnvironment(cmd.Context(), app, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "environment %s of %s deleted\n", args[0], app)
			return nil
		},
	}
	var wait bool
	promote := &cobra.Command{
		Use:     "promote FROM TO --app APP",
		Short:   "Deploy what last succeeded in FROM to TO, with TO's resource definitions",
		Example: "  paved env promote dev staging --app shop",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			d, err := c.Promote(cmd.Context(), app, args[0], args[1])
			if err != nil {
				return err
			}
			return follow(cmd, c, d, wait)
		},
	}
	promote.Flags().BoolVar(&wait, "wait", true, "follow the deployment until it ends")
	for _, sub := range []*cobra.Command{create, list, del, promote} {
		sub.Flags().StringVar(&app, "app", "", "app name")
		_ = sub.MarkFlagRequired("app")
	}
	cmd.AddCommand(create, list, del, promote)
	return cmd
}
