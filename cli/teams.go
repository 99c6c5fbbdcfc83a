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
	var pioneering, hard bool
	var budget, warnAt float64
	update := &cobra.Command{
		Use:   "update NAME [--cohort N] [--pioneering=true|false] [--budget AMOUNT [--budget-warn 0.8] [--budget-hard]]",
		Short: "Change a team's adoption cohort, pioneering flag or monthly budget (finance: the budget)",
		Example: `  paved team update checkout --cohort 2
  paved team update payments --pioneering=false
  paved team update payments --budget 500 --budget-warn 0.8 --budget-hard`,
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
			if cmd.Flags().Changed("budget") {
				up.Budget = &paved.Budget{Monthly: budget, WarnAt: warnAt, Hard: hard}
			}
			if up.Cohort == nil && up.Pioneering == nil && up.Budget == nil {
				return usageError{fmt.Errorf("nothing to change: give --cohort, --pioneering or --budget")}
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
	update.Flags().Float64Var(&budget, "budget", 0, "monthly budget in the price list's currency (0 removes it)")
	update.Flags().Float64Var(&warnAt, "budget-warn", 0, "share of the budget that warns (default 0.8)")
	update.Flags().BoolVar(&hard, "budget-hard", false, "deny deployments beyond the budget (the finance pack)")
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
