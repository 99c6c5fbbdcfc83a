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
	addOutputFlag(list)
	cmd.AddCommand(create, list)
	return cmd
}
