package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
)

func newUserCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "user", Aliases: []string{"users"}, Short: "Manage users and their tokens"}
	var role string
	var teams []string
	create := &cobra.Command{
		Use:   "create NAME --role ROLE [--team TEAM]...",
		Short: "Create a user (admin)",
		Long: `Roles: admin (the platform team), developer (of one or more teams: deploys
their apps), viewer, and the stakeholder roles security, data and finance,
which read everything.`,
		Example: "  paved user create dana --role developer --team payments\n  paved user create sam --role security",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			u := &paved.User{Name: args[0], Role: paved.Role(role), Teams: teams}
			if err := c.CreateUser(cmd.Context(), u); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "user %s created (%s); issue a token with paved user token create %s\n", u.Name, u.Role, u.Name)
			return nil
		},
	}
	create.Flags().StringVar(&role, "role", string(paved.RoleDeveloper), "admin, developer, viewer, security, data or finance")
	create.Flags().StringArrayVar(&teams, "team", nil, "team of a developer (repeatable)")
	list := &cobra.Command{
		Use: "list", Short: "List users", Args: cobra.NoArgs,
		Example: "  paved user list\n  paved user list -o json",
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
	cmd.AddCommand(create, list, newUserUpdateCmd(), newUserDeleteCmd(), newTokenCmd())
	return cmd
}

func newUserUpdateCmd() *cobra.Command {
	var role string
	var teams []string
	var disable, enable, noTeams bool
	cmd := &cobra.Command{
		Use:   "update NAME [--role ROLE] [--team TEAM]... [--disable | --enable]",
		Short: "Change a user's role or teams, or disable them (admin)",
		Long: `update changes what a user may do. A disabled user's tokens stop working at
once; enabling them again makes their unexpired, unrevoked tokens work again.
--team replaces the user's teams. Every change is in the audit log.`,
		Example: "  paved user update dana --role viewer\n  paved user update dana --team payments --team checkout\n  paved user update olaf --disable",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var up paved.UserUpdate
			if role != "" {
				r := paved.Role(role)
				up.Role = &r
			}
			if len(teams) > 0 || noTeams {
				up.Teams = &teams
			}
			if disable || enable {
				up.Disabled = &disable
			}
			if up.Role == nil && up.Teams == nil && up.Disabled == nil {
				return paved.Errorf(paved.EINVALID, "nothing to change: give --role, --team, --no-teams, --disable or --enable")
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			u, err := c.UpdateUser(cmd.Context(), args[0], up)
			if err != nil {
				return err
			}
			return printOut(cmd, u, func() table { return usersTable([]paved.User{*u}) })
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&role, "role", "", "new role: admin, developer, viewer, security, data or finance")
	fl.StringArrayVar(&teams, "team", nil, "the user's teams from now on (repeatable; replaces them)")
	fl.BoolVar(&noTeams, "no-teams", false, "remove the user from every team")
	fl.BoolVar(&disable, "disable", false, "disable the user: their tokens stop working")
	fl.BoolVar(&enable, "enable", false, "enable a disabled user")
	cmd.MarkFlagsMutuallyExclusive("disable", "enable")
	cmd.MarkFlagsMutuallyExclusive("team", "no-teams")
	addOutputFlag(cmd)
	return cmd
}

func newTokenCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "token", Aliases: []string{"tokens"}, Short: "Issue, list and revoke a user's bearer tokens"}
	var name string
	var ttl time.Duration
	create := &cobra.Command{
		Use:   "create USER [--name NAME] [--ttl DURATION]",
		Short: "Issue a bearer token for a user (admin, or the user); shown once",
		Long: `create issues a token and prints it once: paved keeps only its hash. Every
token expires: after --ttl, or the server's default (90 days unless an admin
set --token-ttl); never later than the server's maximum. A user holds at most
20 active tokens.`,
		Example: "  paved user token create dana --name ci --ttl 720h\n  PAVED_TOKEN=$(paved user token create dana -o json | jq -r .token)",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			tok, err := c.CreateToken(cmd.Context(), &paved.TokenRequest{User: args[0], Name: name, TTL: paved.Duration(ttl)})
			if err != nil {
				return err
			}
			if !isTable(cmd) {
				return printOut(cmd, tok, nil)
			}
			fmt.Fprintln(cmd.OutOrStdout(), tok.Secret)
			fmt.Fprintf(cmd.ErrOrStderr(), "token %s for %s, expires %s: shown once, keep it safe\n", tok.ID, tok.User, tok.ExpiresAt.Format(time.RFC3339))
			return nil
		},
	}
	create.Flags().StringVar(&name, "name", "", "what the token is for (ci, laptop)")
	create.Flags().DurationVar(&ttl, "ttl", 0, "lifetime (default: the server's)")
	addOutputFlag(create)
	list := &cobra.Command{
		Use: "list USER", Short: "List a user's tokens (admin, or the user): ids, names, expiry, last use",
		Example: "  paved user token list dana",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			ts, err := c.ListTokens(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return printOut(cmd, ts, func() table {
				t := table{header: []string{"ID", "NAME", "CREATED", "BY", "EXPIRES", "LAST USED", "STATE"}}
				now := time.Now()
				for _, k := range ts {
					state := "active"
					switch {
					case k.RevokedAt != nil:
						state = "revoked " + k.RevokedAt.Format(time.RFC3339)
					case !k.Active(now):
						state = "expired"
					}
					t.rows = append(t.rows, []string{k.ID, orDash(k.Name), k.CreatedAt.Format(time.RFC3339), orDash(k.CreatedBy),
						timeOrDash(k.ExpiresAt), timeOrDash(k.LastUsedAt), state})
				}
				return t
			})
		},
	}
	addOutputFlag(list)
	var all bool
	var id string
	revoke := &cobra.Command{
		Use:     "revoke USER (--all | --id TOKEN_ID)",
		Short:   "Revoke a user's tokens (admin, or the user): they stop working at once",
		Example: "  paved user token revoke dana --id t-Xk2p9Q\n  paved user token revoke dana --all",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (id != "") {
				return paved.Errorf(paved.EINVALID, "give --all or --id TOKEN_ID (paved user token list %s shows the ids)", args[0])
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			n, err := c.RevokeTokens(cmd.Context(), args[0], id)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d token(s) of %s revoked\n", n, args[0])
			return nil
		},
	}
	revoke.Flags().BoolVar(&all, "all", false, "revoke every token of the user")
	revoke.Flags().StringVar(&id, "id", "", "revoke this token")
	cmd.AddCommand(create, list, revoke, newTokenRotateCmd())
	return cmd
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}

func usersTable(us []paved.User) table {
	t := table{header: []string{"NAME", "ROLE", "TEAMS", "STATE"}}
	for _, u := range us {
		state := "enabled"
		if u.Disabled {
			state = "disabled"
		}
		t.rows = append(t.rows, []string{u.Name, string(u.Role), strings.Join(u.Teams, ","), state})
	}
	return t
}

func newUserDeleteCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME",
		Short: "Delete a user and their tokens (admin); what they did stays in the audit log",
		Long: `delete removes a user and every token of theirs, which stop working at once.
The audit log and the deployments they made keep their name. An admin cannot
delete themselves. To keep the user but stop them, use paved user update NAME
--disable instead.`,
		Example:           "  paved user delete olaf",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: onlyFirst(completeUsers),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			if err := c.DeleteUser(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "user %s deleted; their tokens no longer work\n", args[0])
			return nil
		},
	}
}
