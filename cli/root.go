// Package cli is paved's command line: cobra commands that parse flags, call
// the same service code the API uses, and print.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"paved.dev/paved"
)

// Version is set at build time with -ldflags "-X paved.dev/paved/cli.Version=...".
var Version = "dev"

// Exit codes by error code, so that scripts can tell failures apart; a
// deployment that ran and failed exits 8.
var exitCodes = map[string]int{
	codeDeploymentFailed: 8,
	paved.EINTERNAL:      1,
	paved.EINVALID:       2,
	paved.ENOTFOUND:      3,
	paved.ECONFLICT:      4,
	paved.EUNAUTHORIZED:  5,
	paved.EFORBIDDEN:     6,
	paved.EUNAVAILABLE:   7,
	paved.ETOOMANY:       9,
	codeWaitTimeout:      10,
}

// codeDeploymentFailed marks the error of a deployment that ran and failed,
// apart from requests refused before anything ran.
const codeDeploymentFailed = "deployment_failed"

// Main runs the paved command line and returns the process exit code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := NewRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var perr *paved.Error
	if errors.As(err, &perr) || !isCobraUsage(err) {
		fmt.Fprintln(stderr, "error:", err)
		if code, ok := exitCodes[paved.ErrorCode(err)]; ok {
			return code
		}
		return 1 // a code this CLI does not know (from a newer server or a proxy)
	}
	fmt.Fprintln(stderr, "error:", err)
	return 2
}

// isCobraUsage tells command-line mistakes (exit 2) from failures. Cobra
// returns some of them as plain errors, known by their wording.
func isCobraUsage(err error) bool {
	var u usageError
	if errors.As(err, &u) {
		return true
	}
	msg := err.Error()
	return strings.HasPrefix(msg, "required flag") || strings.HasPrefix(msg, "unknown command") ||
		strings.HasPrefix(msg, "accepts ") || strings.HasPrefix(msg, "unknown shorthand flag") || strings.HasPrefix(msg, "if any flags in the group")
}

type usageError struct{ error }

// NewRoot builds the command tree.
func NewRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "paved",
		Short: "paved: a Minimum Viable Platform in one binary",
		Long: `paved turns Score workloads into running software: it resolves the
resources they need (databases, caches, routes) with platform-owned resource
definitions, provisions them, renders Kubernetes objects and applies them.

Start with:
  paved demo                                        # the whole MVP on a fresh machine
  paved render -f score.yaml --app shop --env dev   # your Score file → Kubernetes YAML
  paved server                                      # the control plane
  paved deploy -f score.yaml --app shop --env dev   # deploy through it`,
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if c != c.Root() && c.HasSubCommands() {
			// A group's flags fail first when its subcommand was mistyped.
			var names []string
			for _, sub := range c.Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, sub.Name())
				}
			}
			return usageError{fmt.Errorf("%w: %s takes a subcommand first (%s)\nrun '%s --help' for usage", err, c.CommandPath(), strings.Join(names, ", "), c.CommandPath())}
		}
		return usageError{fmt.Errorf("%w\nrun '%s --help' for usage", err, c.CommandPath())}
	})
	root.AddCommand(newDemoCmd(), newRenderCmd(), newBenchCmd(), newServerCmd())
	root.AddCommand(newRestoreCmd())
	// policies has commands for the server (apply, list, history) and one
	// without it (test): the client flags go on the first ones only.
	pol := newPoliciesCmd()
	for _, sub := range pol.Commands() {
		if sub.Name() != "test" {
			addClientFlags(sub)
		}
	}
	root.AddCommand(pol)
	for _, c := range []*cobra.Command{
		newLoginCmd(), newWhoAmICmd(), newTeamCmd(), newUserCmd(), newAppCmd(), withEnvStatus(newEnvCmd()),
		newDeployCmd(), newPlanCmd(), newDeploymentsCmd(), newRollbackCmd(),
		newResourcesCmd(), newTypesCmd(), withDefinitionsProbe(newDefinitionsCmd()), newAuditCmd(), newTargetsCmd(), newPricesCmd(), newCostCmd(), newWaiversCmd(), newReadinessCmd(), newSignOffCmd(), newChecksCmd(), newMVPModeCmd(), newProgramCmd(), newFeedbackCmd(), newRoadmapCmd(),
		newTemplatesCmd(), newNewCmd(), newUpgradeCmd(), newScaffoldsCmd(),
		newDORACmd(), newCatalogCmd(),
		newScorecardCmd(), newScorecardsCmd(),
		newReportCmd(),
		newBackupCmd(),
	} {
		addClientFlags(c)
		root.AddCommand(c)
	}
	refuseUnknownSubcommands(root)
	registerCompletions(root)
	return root
}

// refuseUnknownSubcommands makes every group of commands (env, user ...)
// refuse what is not one of its subcommands, suggesting the nearest, as the
// root does; cobra would print the group's help and exit 0.
func refuseUnknownSubcommands(c *cobra.Command) {
	for _, sub := range c.Commands() {
		refuseUnknownSubcommands(sub)
	}
	if c == c.Root() || !c.HasSubCommands() || c.Runnable() {
		return
	}
	c.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
			msg += "\n\nDid you mean this?\n\t" + strings.Join(s, "\n\t")
		}
		return usageError{errors.New(msg + "\nrun '" + cmd.CommandPath() + " --help' for usage")}
	}
	c.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
}
