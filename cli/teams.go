package cli

import (
	"fmt"
	"strconv"
	"strings"

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

func newUserCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Short: "Manage users and tokens"}
	var role string
	var teams []string
	create := &cobra.Command{
		Use:   "create NAME --role ROLE [--team TEAM]...",
		Short: "Create a user (admin)",
		Long: `Roles: admin (the platform team), developer (of one or more teams: deploys
their apps), viewer, and the stakeholder roles security, data and finance,
which read everything.`,
		Example: "  paved user create dana --role developer --team payments",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			u := &paved.User{Name: args[0], Role: role, Teams: teams}
			if err := c.CreateUser(cmd.Context(), u); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "user %s created (%s)\n", u.Name, u.Role)
			return nil
		},
	}
	create.Flags().StringVar(&role, "role", paved.RoleDeveloper, "admin, developer, viewer, security, data or finance")
	create.Flags().StringArrayVar(&teams, "team", nil, "team of a developer (repeatable)")
	list := &cobra.Command{
		Use: "list", Short: "List users", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			us, err := c.ListUsers(cmd.Context())
			if err != nil {
				return err
			}
			return printOut(cmd, us, func() table { return usersTable(us) })
		},
	}
	addOutputFlag(list)
	token := &cobra.Command{
		Use:   "token USER",
		Short: "Issue a bearer token for a user (shown once)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			tok, err := c.CreateToken(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), tok)
			return nil
		},
	}
	cmd.AddCommand(create, list, token)
	return cmd
}

func usersTable(us []paved.User) table {
	t := table{header: []string{"NAME", "ROLE", "TEAMS"}}
	for _, u := range us {
		t.rows = append(t.rows, []string{u.Name, u.Role, strings.Join(u.Teams, ",")})
	}
	return t
}
