package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
)

func newAppCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "app", Aliases: []string{"apps"}, Short: "Manage apps"}
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
			fmt.Fprintf(progress(cmd), "app %s created (team %s)\n", a.Name, a.Team)
			return printDocument(cmd, a)
		},
	}
	create.Flags().StringVar(&team, "team", "", "owning team")
	_ = create.MarkFlagRequired("team")
	addOutputFlag(create)
	completeFlag(create, "team", completeTeams)
	list := &cobra.Command{
		Use: "list", Short: "List apps", Args: cobra.NoArgs,
		Example: "  paved app list\n  paved app list -o json",
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
	var newTeam, onCall string
	update := &cobra.Command{
		Use:               "update NAME [--team TEAM] [--on-call CONTACT]",
		Short:             "Hand an app to another team (admins, or developers of both), or say who is on call for it",
		Example:           "  paved app update shop --team checkout\n  paved app update shop --on-call payments-oncall@example.com",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: onlyFirst(completeApps),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			var up paved.AppUpdate
			if cmd.Flags().Changed("team") {
				up.Team = &newTeam
			}
			if cmd.Flags().Changed("on-call") {
				up.OnCall = &onCall
			}
			if up.Team == nil && up.OnCall == nil {
				return usageError{fmt.Errorf("nothing to change: give --team or --on-call")}
			}
			a, err := c.UpdateApp(cmd.Context(), args[0], up)
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "app %s: team %s, on call %s\n", a.Name, a.Team, orDash(a.OnCall))
			return printDocument(cmd, a)
		},
	}
	update.Flags().StringVar(&newTeam, "team", "", "the team that gets the app")
	update.Flags().StringVar(&onCall, "on-call", "", "who answers when the app breaks: a rota or pager alias (\"\" clears it)")
	addOutputFlag(update)
	completeFlag(update, "team", completeTeams)
	var cascade bool
	del := &cobra.Command{
		Use:   "delete NAME [--cascade]",
		Short: "Delete an app; --cascade deletes its environments first",
		Long: `delete removes an app. While it has environments it is refused, unless
--cascade, which deletes each environment first (its objects leave the target,
its resources are deprovisioned), one by one; the first that fails stops there,
and deleting again carries on. The app's deployments stay in the history, and
the audit log keeps every deletion.`,
		Example: `  paved app delete shop
  paved app delete shop --cascade`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: onlyFirst(completeApps),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			d, err := c.DeleteApp(cmd.Context(), args[0], cascade)
			if err != nil {
				return err
			}
			out := progress(cmd)
			for _, e := range d.Environments {
				fmt.Fprintf(out, "environment %s deleted: %s\n", e.Env, describeDeletion(&e))
			}
			fmt.Fprintf(out, "app %s deleted\n", d.App)
			return printDocument(cmd, d)
		},
	}
	del.Flags().BoolVar(&cascade, "cascade", false, "delete the app's environments first")
	addOutputFlag(del)
	cmd.AddCommand(create, list, update, del)
	return cmd
}

// printDocument prints v when -o asks for JSON or YAML; the table form of
// a single change is the line its command printed.
func printDocument(cmd *cobra.Command, v any) error {
	if !structured(cmd) {
		return nil
	}
	return printOut(cmd, v, nil)
}

// describeDeletion sums up what deleting an environment did.
func describeDeletion(d *paved.EnvironmentDeletion) string {
	s := fmt.Sprintf("%d objects removed, %d resources deprovisioned", d.Objects, len(d.Deprovisioned))
	if len(d.Forgotten) > 0 {
		s += "; forgotten, since paved could not reach them (they may still exist; remove them by hand): " + strings.Join(d.Forgotten, "; ")
	}
	return s
}
