package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"paved.dev/paved"
)

func newTeamCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "team", Short: "Manage teams (admin)"}
	var cohort int
	var pioneering bool
	create := &cobra.Command{
		Use:     "create NAME [--cohort N] [--pioneering]",
		Short:   "Create a team",
		Example: "  paved team create payments --pioneering",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			t := &paved.Team{Name: args[0], Cohort: cohort, Pioneering: pioneering}
			if err := c.CreateTeam(cmd.Context(), t); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "team %s created\n", t.Name)
			return nil
		},
	}
	create.Flags().IntVar(&cohort, "cohort", 1, "adoption cohort (1 is the first)")
	create.Flags().BoolVar(&pioneering, "pioneering", false, "the pioneering team of the MVP")
	list := &cobra.Command{
		Use: "list", Short: "List teams", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			ts, err := c.ListTeams(cmd.Context())
			if err != nil {
				return err
			}
			return printOut(cmd, ts, func() table {
				t := table{header: []string{"NAME", "COHORT", "PIONEERING"}}
				for _, x := range ts {
					t.rows = append(t.rows, []string{x.Name, strconv.Itoa(x.Cohort), strconv.FormatBool(x.Pioneering)})
				}
				return t
			})
		},
	}
	list.Example = "  paved team list\n  paved team list -o json"
	addOutputFlag(list)
	cmd.AddCommand(create, list, newTeamUpdateCmd(), newTeamDeleteCmd())
	return cmd
}

func newTeamUpdateCmd() *cobra.Command {
	var cohort int
	var pioneering bool
	update := &cobra.Command{
		Use:   "update NAME [--cohort N] [--pioneering=true|false]",
		Short: "Change a team's adoption cohort or pioneering flag",
		Example: `  paved team update checkout --cohort 2
  paved team update payments --pioneering=false`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: onlyFirst(completeTeams),
		RunE: func(cmd *cobra.Command, args []string) error {
			var up paved.TeamUpdate
			if cmd.Flags().Changed("cohort") {
				up.Cohort = &cohort
			}
			if cmd.Flags().Changed("pioneering") {
				up.Pioneering = &pioneering
			}
			if up.Cohort == nil && up.Pioneering == nil {
				return usageError{fmt.Errorf("nothing to change: give --cohort or --pioneering")}
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			t, err := c.UpdateTeam(cmd.Context(), args[0], up)
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "team %s: cohort %d, pioneering %v\n", t.Name, t.Cohort, t.Pioneering)
			return printDocument(cmd, t)
		},
	}
	update.Flags().IntVar(&cohort, "cohort", 1, "adoption cohort (1 is the first)")
	update.Flags().BoolVar(&pioneering, "pioneering", false, "the pioneering team of the MVP")
	addOutputFlag(update)
	return update
}

func newTeamDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a team that owns no app; its members stay, without it",
		Long: `delete removes a team. It is refused while an app belongs to the team: hand
the app to another team (paved app update APP --team OTHER) or delete it
first. Users in the team stay, without it.`,
		Example:           "  paved team delete old-team",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: onlyFirst(completeTeams),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			if err := c.DeleteTeam(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "team %s deleted\n", args[0])
			return nil
		},
	}
}
