package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"paved.dev/paved"
)

func newReadinessCmd() *cobra.Command {
	var app string
	cmd := &cobra.Command{
		Use:   "readiness --app APP",
		Short: "An app's production readiness: the checklist and the sign-offs; exit 6 when not ready",
		Long: `readiness computes the checklist from the platform's own data: staging deployed
and without failed deployments for 7 days, a rollback exercised, the latest
staging plan without a deny or an unwaived warning, an owner team, backups
for the data it holds in production, the production estimate within the
team's budget, and valid sign-offs by security, data and finance (a sign-off
no longer holds once that role's policies or the app's resource types
changed). Each missing item says how to get it done. In MVP mode an app
deploys to production only when ready.`,
		Example: `  paved readiness --app shop
  paved readiness --app shop -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			r, err := c.Readiness(cmd.Context(), app)
			if err != nil {
				return err
			}
			if err := printOut(cmd, r, func() table {
				t := table{header: []string{"", "ITEM", "WHAT TO DO"}}
				for _, it := range r.Items {
					mark := "✗"
					if it.Done {
						mark = "✓"
					}
					t.rows = append(t.rows, []string{mark, it.Title, orDash(it.Why)})
				}
				return t
			}); err != nil {
				return err
			}
			if !r.Ready {
				return paved.Errorf(paved.EFORBIDDEN, "%s is not ready for production", app)
			}
			if !structured(cmd) {
				fmt.Fprintf(cmd.OutOrStdout(), "%s is ready for production\n", app)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&app, "app", "", "app name")
	_ = cmd.MarkFlagRequired("app")
	addOutputFlag(cmd)
	return cmd
}

func newSignOffCmd() *cobra.Command {
	var app, role string
	cmd := &cobra.Command{
		Use:   "signoff --app APP [--role ROLE]",
		Short: "Sign an app off for production, for your role (security, data or finance)",
		Long: `signoff records your approval of an app for production, for your role. It
holds your role's policies and the app's resource types as they are now:
when either changes, it no longer counts and the app needs your sign-off
again. --role, when given, must be your role (a safeguard).`,
		Example: `  paved signoff --app shop
  paved signoff --app shop --role security`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			if role != "" {
				me, err := c.WhoAmI(cmd.Context())
				if err != nil {
					return err
				}
				if string(me.Role) != role {
					return paved.Errorf(paved.EFORBIDDEN, "--role %s: you are %s; a sign-off is for your own role", role, me.Role)
				}
			}
			s, err := c.SignOff(cmd.Context(), app)
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "%s signed %s off for %s\n", s.By, s.App, s.Role)
			return printDocument(cmd, s)
		},
	}
	cmd.Flags().StringVar(&app, "app", "", "app name")
	cmd.Flags().StringVar(&role, "role", "", "your role: security, data or finance")
	_ = cmd.MarkFlagRequired("app")
	completeEnum(cmd, "role", "security", "data", "finance")
	addOutputFlag(cmd)
	return cmd
}
