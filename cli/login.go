package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

func newLoginCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "login --server URL --token TOKEN",
		Short: "Remember a paved server and your token",
		Long: `login checks the token against the server and saves both in the client config
(` + "`$PAVED_CONFIG`" + ` or ~/.config/paved/config.json, mode 0600). Commands then use them
unless --server/--token or PAVED_SERVER/PAVED_TOKEN say otherwise.`,
		Example: "  paved login --server http://127.0.0.1:8080 --token pvd_...",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flagToken, _ := cmd.Flags().GetString("token")
			if flagToken == "" && os.Getenv("PAVED_TOKEN") == "" {
				return paved.Errorf(paved.EINVALID, "--token: give the token to remember (or set PAVED_TOKEN)")
			}
			// The server and token checked are the ones saved.
			server, token, err := serverAndToken(cmd)
			if err != nil {
				return err
			}
			u, err := api.NewClient(server, token, api.WithUserAgent("paved-cli/"+Version)).WhoAmI(cmd.Context())
			if err != nil {
				return err
			}
			if err := writeClientConfig(clientConfig{Server: server, Token: token}); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "logged in to %s as %s (%s)\n", server, u.Name, u.Role)
			return nil
		},
	}
	return cmd
}

func newWhoAmICmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "whoami",
		Short:   "Show who the token belongs to",
		Example: "  paved whoami\n  paved whoami -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			u, err := c.WhoAmI(cmd.Context())
			if err != nil {
				return err
			}
			return printOut(cmd, u, func() table { return usersTable([]paved.User{*u}) })
		},
	}
	addOutputFlag(cmd)
	return cmd
}
