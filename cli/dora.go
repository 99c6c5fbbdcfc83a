package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"paved.dev/paved"
)

func newDORACmd() *cobra.Command {
	var req paved.DORARequest
	var window string
	cmd := &cobra.Command{
		Use:   "dora [--app APP | --team TEAM] [--window 90d]",
		Short: "DORA's five metrics of an app, a team or the organisation, with their 2024 bands",
		Long: `dora computes DORA's software delivery metrics from paved's own deployment
history over the window up to now: deployment frequency, change lead time
(commit time to success), change fail rate (deployments that failed, were
rolled back, or were followed by a deployment marked --fix), failed
deployment recovery time (to the next successful deployment) and deployment
rework rate (rollbacks and fixes among all deployments). Each shows the band
of the 2024 State of DevOps report's performance clusters.

The figures are of one environment type, which every view names: in MVP mode
the highest type deployed to in the window that is not production, otherwise
the highest. With neither --app nor --team, the whole organisation.
docs/dora.md has the definitions.`,
		Example: `  paved dora --app shop
  paved dora --team payments --window 30d
  paved dora --window 1y -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			w, err := paved.ParseDORAWindow(window)
			if err != nil {
				return paved.Errorf(paved.EINVALID, "--%s", paved.ErrorMessage(err))
			}
			req.Window = w
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			r, err := c.DORA(cmd.Context(), req)
			if err != nil {
				return err
			}
			if !structured(cmd) {
				who := "the organisation"
				if r.App != "" {
					who = "app " + r.App
				} else if r.Team != "" {
					who = "team " + r.Team
				}
				fmt.Fprintf(cmd.OutOrStdout(), "DORA of %s over %s (%s to %s)\nmeasured: %s\n\n", who, r.Window,
					r.From.Format("2006-01-02"), r.To.Format("2006-01-02"), r.Measured)
			}
			return printOut(cmd, r, func() table {
				t := table{header: []string{"METRIC", "VALUE", "BAND (2024)", "FROM"}}
				for _, m := range []struct {
					name string
					m    paved.DORAMetric
				}{
					{"deployment frequency", r.DeploymentFrequency}, {"change lead time", r.ChangeLeadTime},
					{"change fail rate", r.ChangeFailRate}, {"failed deployment recovery time", r.FailedDeploymentRecoveryTime},
					{"deployment rework rate", r.DeploymentReworkRate},
				} {
					t.rows = append(t.rows, []string{m.name, m.m.Text, orDash(string(m.m.Band)), m.m.Of})
				}
				return t
			})
		},
	}
	cmd.Flags().StringVar(&req.App, "app", "", "one app's metrics")
	cmd.Flags().StringVar(&req.Team, "team", "", "one team's apps' metrics")
	cmd.Flags().StringVar(&window, "window", "90d", "how far back from now: 90d, 12w, 1y, 720h (1d to 1098d)")
	cmd.MarkFlagsMutuallyExclusive("app", "team")
	addOutputFlag(cmd)
	return cmd
}
