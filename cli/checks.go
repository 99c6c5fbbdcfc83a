package cli

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"paved.dev/paved"
)

func newChecksCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "Manual checks: what the platform team asks a named role to confirm",
		Long: `A manual check is what the platform's own data cannot tell: "the penetration
test passed", "the runbook was reviewed". An admin defines it in a scope:
readiness (an item of every app's production readiness, confirmed per app)
or program.<phase> (an item of a phase of the MVP program, confirmed per
iteration). Only a user of the check's role confirms it.`,
	}
	cmd.AddCommand(newChecksListCmd(), newChecksAddCmd(), newChecksRemoveCmd(), newChecksConfirmCmd())
	return cmd
}

func addScopeFlag(cmd *cobra.Command, scope *string) {
	cmd.Flags().StringVar(scope, "scope", paved.ScopeReadiness, "readiness, or program.<phase> (discovery, integration, deployment, adoption)")
	completeEnum(cmd, "scope", paved.ScopeReadiness, "program.discovery", "program.integration", "program.deployment", "program.adoption")
}

func newChecksListCmd() *cobra.Command {
	var scope string
	cmd := &cobra.Command{
		Use:   "list [--scope SCOPE]",
		Short: "List manual checks (every scope unless --scope)",
		Example: `  paved checks list
  paved checks list --scope readiness -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			if !cmd.Flags().Changed("scope") {
				scope = ""
			}
			cs, err := c.ListChecks(cmd.Context(), scope)
			if err != nil {
				return err
			}
			return printOut(cmd, cs, func() table {
				t := table{header: []string{"SCOPE", "ID", "TITLE", "ROLE", "HOW"}}
				for _, k := range cs {
					t.rows = append(t.rows, []string{k.Scope, k.ID, k.Title, string(k.Role), orDash(k.How)})
				}
				return t
			})
		},
	}
	addScopeFlag(cmd, &scope)
	addOutputFlag(cmd)
	return cmd
}

func newChecksAddCmd() *cobra.Command {
	var k paved.ManualCheck
	var role string
	cmd := &cobra.Command{
		Use:   "add ID --title TITLE --role ROLE [--how HOW] [--scope SCOPE]",
		Short: "Define or redefine a manual check (admin)",
		Long: `add defines a manual check, or redefines one with the same scope and id
(its confirmations stay). Audited (check.put).`,
		Example: `  paved checks add pen-test --title "penetration test passed" --role security
  paved checks add kickoff --scope program.discovery --title "kick-off with the pioneering team held" --role admin`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			k.ID, k.Role = args[0], paved.Role(role)
			out, err := c.PutCheck(cmd.Context(), &k)
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "check %s/%s: %s (confirmed by %s)\n", out.Scope, out.ID, out.Title, out.Role)
			return printDocument(cmd, out)
		},
	}
	addScopeFlag(cmd, &k.Scope)
	cmd.Flags().StringVar(&k.Title, "title", "", "what must hold")
	cmd.Flags().StringVar(&k.How, "how", "", "how to meet it")
	cmd.Flags().StringVar(&role, "role", "", "the role that confirms it")
	_ = cmd.MarkFlagRequired("title")
	_ = cmd.MarkFlagRequired("role")
	completeEnum(cmd, "role", "admin", "security", "data", "finance")
	addOutputFlag(cmd)
	return cmd
}

func newChecksRemoveCmd() *cobra.Command {
	var scope string
	cmd := &cobra.Command{
		Use:     "remove ID [--scope SCOPE]",
		Short:   "Remove a manual check and its confirmations (admin)",
		Example: `  paved checks remove pen-test`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			if err := c.DeleteCheck(cmd.Context(), scope, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "check %s/%s removed\n", scope, args[0])
			return nil
		},
	}
	addScopeFlag(cmd, &scope)
	return cmd
}

func newChecksConfirmCmd() *cobra.Command {
	var scope, app string
	var iteration int
	cmd := &cobra.Command{
		Use:   "confirm ID (--app APP | --scope program.PHASE --iteration N)",
		Short: "Confirm a manual check for an app or an iteration of the program (the check's role)",
		Long: `confirm records that the check holds: for an app (readiness checks) or for an
iteration of the MVP program (program checks). Only a user of the check's
role confirms it. Audited (check.confirm).`,
		Example: `  paved checks confirm pen-test --app shop
  paved checks confirm kickoff --scope program.discovery --iteration 1`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			subject := app
			switch {
			case scope == paved.ScopeReadiness && cmd.Flags().Changed("iteration"):
				return usageError{fmt.Errorf("--iteration is for program checks; a readiness check is confirmed for an --app")}
			case scope == paved.ScopeReadiness && app == "":
				return usageError{fmt.Errorf("a readiness check is confirmed for an app: give --app")}
			case scope != paved.ScopeReadiness && app != "":
				return usageError{fmt.Errorf("--app is for readiness checks; a program check is confirmed for an --iteration")}
			case scope != paved.ScopeReadiness && !cmd.Flags().Changed("iteration"):
				return usageError{fmt.Errorf("a program check is confirmed for an iteration: give --iteration N (paved program shows the current one)")}
			case scope != paved.ScopeReadiness:
				subject = strconv.Itoa(iteration)
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			out, err := c.ConfirmCheck(cmd.Context(), scope, args[0], subject)
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "%s confirmed %s/%s for %s\n", out.By, out.Scope, out.CheckID, out.Subject)
			return printDocument(cmd, out)
		},
	}
	addScopeFlag(cmd, &scope)
	cmd.Flags().StringVar(&app, "app", "", "the app (readiness checks)")
	cmd.Flags().IntVar(&iteration, "iteration", 0, "the program's iteration (program checks)")
	addOutputFlag(cmd)
	return cmd
}
