package cli

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"paved.dev/paved"
)

func newPricesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "prices", Aliases: []string{"price"}, Short: "The price list cost estimates use (finance)"}
	var file string
	apply := &cobra.Command{
		Use:   "apply -f prices.yaml",
		Short: "Store a new version of the price list (finance, or an admin)",
		Long: `apply reads a price list (docs/cost.md): currency, vcpu_hour, memory_gib_hour,
storage_gib_month, default_cpu and default_memory_gib (what a container without
requests or limits counts as), and resources priced by the month by
definition, by type and class, or by type. A missing or negative price is
refused, naming the field. Every plan then carries a cost estimate.`,
		Example: "  paved prices apply -f prices.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			data, err := readLimitedFile(file, 1<<20)
			if err != nil {
				return err
			}
			var pl paved.PriceList
			dec := yaml.NewDecoder(bytes.NewReader(data))
			dec.KnownFields(true)
			if err := dec.Decode(&pl); err != nil {
				return paved.Errorf(paved.EINVALID, "-f %s: %s", file, err)
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			out, err := c.ApplyPrices(cmd.Context(), &pl)
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "price list version %d (%s)\n", out.Version, out.Currency)
			return printDocument(cmd, out)
		},
	}
	apply.Flags().StringVarP(&file, "file", "f", "", "the price list (YAML)")
	_ = apply.MarkFlagRequired("file")
	addOutputFlag(apply)
	show := &cobra.Command{
		Use: "show", Short: "Show the price list", Args: cobra.NoArgs,
		Example: "  paved prices show\n  paved prices show -o yaml",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			pl, err := c.GetPrices(cmd.Context())
			if err != nil {
				return err
			}
			return printOut(cmd, pl, func() table {
				t := table{header: []string{"WHAT", "PRICE"}}
				cur := pl.Currency
				t.rows = append(t.rows, []string{"vCPU", fmt.Sprintf("%g %s/hour", pl.VCPUHour, cur)}, []string{"memory", fmt.Sprintf("%g %s/GiB-hour", pl.MemoryGiBHour, cur)},
					[]string{"storage", fmt.Sprintf("%g %s/GiB-month", pl.StorageGiBMonth, cur)},
					[]string{"a container without requests", fmt.Sprintf("%g vCPU, %g GiB", pl.DefaultCPU, pl.DefaultMemory)})
				for _, r := range pl.Resources {
					what := "resource " + r.Type
					if r.Class != "" {
						what += "." + r.Class
					}
					if r.Definition != "" {
						what = "definition " + r.Definition
					}
					t.rows = append(t.rows, []string{what, fmt.Sprintf("%g %s/month", r.Monthly, cur)})
				}
				t.rows = append(t.rows, []string{"version", strconv.Itoa(pl.Version) + " by " + pl.UpdatedBy})
				return t
			})
		},
	}
	addOutputFlag(show)
	cmd.AddCommand(apply, show)
	return cmd
}

func newCostCmd() *cobra.Command {
	var f paved.CostFilter
	cmd := &cobra.Command{
		Use:   "cost [--team TEAM] [--app APP] [--env ENV]",
		Short: "What environments cost by the month: estimates of their last deployments, by team and budget",
		Long: `cost sums the estimates (docs/cost.md) of each environment's last successful
deployment, by environment and team, with each team's budget use; an
ephemeral environment also shows what it costs over its TTL. Deployments
planned before finance applied a price list have no estimate ("unpriced").
Estimates, never bills.`,
		Example: `  paved cost
  paved cost --team payments
  paved cost --app shop --env staging -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			rep, err := c.CostReport(cmd.Context(), f)
			if err != nil {
				return err
			}
			if err := printOut(cmd, rep, func() table {
				t := table{header: []string{"TEAM", "APP", "ENV", "TYPE", "MONTHLY", "OVER ITS TTL", "DEPLOYMENT"}}
				for _, e := range rep.Environments {
					m := fmt.Sprintf("%.2f %s", e.Monthly, rep.Currency)
					if e.Unpriced {
						m = "unpriced"
					}
					life := "-"
					if e.Lifetime > 0 {
						life = fmt.Sprintf("%.2f %s", e.Lifetime, rep.Currency)
					}
					t.rows = append(t.rows, []string{e.Team, e.App, e.Env, string(e.Type), m, life, orDash(e.Deployment)})
				}
				return t
			}); err != nil {
				return err
			}
			if structured(cmd) {
				return nil
			}
			out := cmd.OutOrStdout()
			for _, tc := range rep.Teams {
				line := fmt.Sprintf("team %s: %.2f %s/month (an estimate)", tc.Team, tc.Monthly, rep.Currency)
				if tc.Budget != nil {
					line += fmt.Sprintf(", %.0f%% of its budget of %.2f", tc.Used*100, tc.Budget.Monthly)
				}
				fmt.Fprintln(out, line)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&f.Team, "team", "", "only this team's apps")
	cmd.Flags().StringVar(&f.App, "app", "", "only this app")
	cmd.Flags().StringVar(&f.Env, "env", "", "only environments of this name")
	addOutputFlag(cmd)
	return cmd
}
