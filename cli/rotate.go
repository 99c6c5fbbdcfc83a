package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
)

func newTokenRotateCmd() *cobra.Command {
	var id string
	cmd := &cobra.Command{
		Use:   "rotate USER --id TOKEN_ID",
		Short: "Replace a token by a new one (admin, or the user): shown once; the old one stops working",
		Long: `rotate issues a new token of the same name as the old one, expiring when the
old one would have (rotation replaces the secret, not the lifetime), and
prints it once, then revokes the old one: put the new token where the old one
was (a CI secret) before the next job runs.`,
		Example: "  paved user token rotate dana --id t-Xk2p9Q\n  NEW=$(paved user token rotate ci-bot --id t-Xk2p9Q -o json | jq -r .token)",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if id == "" {
				return paved.Errorf(paved.EINVALID, "--id: give the token to rotate (paved user token list %s shows the ids)", args[0])
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			tok, err := c.RotateToken(cmd.Context(), args[0], id)
			if err != nil {
				return err
			}
			if !isTable(cmd) {
				return printOut(cmd, tok, nil)
			}
			fmt.Fprintln(cmd.OutOrStdout(), tok.Secret)
			fmt.Fprintf(cmd.ErrOrStderr(), "token %s for %s replaces %s (revoked), expires %s: shown once, keep it safe\n",
				tok.ID, tok.User, id, tok.ExpiresAt.Format(time.RFC3339))
			return nil
		},
	}
	cmd.Flags().StringVar(&id, "id", "", "the token to rotate")
	addOutputFlag(cmd)
	return cmd
}
