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
team's budget, the manual checks the platform team defined (paved checks),
confirmed for the app by their role, and valid sign-offs by security, data
and finance (a sign-off no longer holds once that role's policies or the
app's resource types changed). Each missing item says how to get it done. In MVP mode an app
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

func newMVPModeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "mvp-mode [on|off]",
		Short: "Show or change whether the platform is in MVP mode (changing it: admin)",
		Long: `In MVP mode production is refused to every app whose readiness checklist is
not complete (paved readiness). An admin takes the whole platform out of MVP
mode, or back in, for every server sharing the store; the audit log keeps it
(mvp.set). Without an argument it says which mode the platform is in.`,
		Example: `  paved mvp-mode
  paved mvp-mode off`,
		Args:      cobra.MaximumNArgs(1),
		ValidArgs: []cobra.Completion{"on", "off"},
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			if len(args) == 1 {
				if args[0] != "on" && args[0] != "off" {
					return usageError{fmt.Errorf("mvp-mode: %q is not on or off", args[0])}
				}
				if err := c.SetMVPMode(cmd.Context(), args[0] == "on"); err != nil {
					return err
				}
			}
			on, err := c.MVPMode(cmd.Context())
			if err != nil {
				return err
			}
			if on {
				fmt.Fprintln(cmd.OutOrStdout(), "MVP mode is on: production only for apps whose readiness is complete")
			} else {
				fmt.Fprintln(cmd.OutOrStdout(), "MVP mode is off: production is open to every app")
			}
			return nil
		},
	}
}
