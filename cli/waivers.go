package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
)

func newWaiversCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "waivers", Aliases: []string{"waiver"}, Short: "Time-boxed exceptions to a policy rule for one app and environment"}
	var req paved.WaiverRequest
	var ttl time.Duration
	request := &cobra.Command{
		Use:   "request --rule POLICY/RULE --app APP --env ENV --reason TEXT [--ttl 72h]",
		Short: "Ask for a waiver of one rule (the app's team); the rule's owning role decides",
		Long: `request asks that a rule (as a finding names it: security/sec-limits) not deny
deployments of one app's environment for a while. The role that owns the
rule's policy approves or rejects it; while it lasts, the rule's denials
there are warnings that say who waived them, until when and why.`,
		Example: `  paved waivers request --rule security/sec-limits --app shop --env staging --reason "load test this week" --ttl 72h`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			req.TTL = paved.Duration(ttl)
			w, err := c.RequestWaiver(cmd.Context(), &req)
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "waiver %s requested: %s for %s/%s until %s; %s decides (paved waivers approve %s)\n",
				w.ID, w.Rule, w.App, w.Env, w.ExpiresAt.Format(time.RFC3339), w.Owner, w.ID)
			return printDocument(cmd, w)
		},
	}
	request.Flags().StringVar(&req.Rule, "rule", "", "the rule, as a finding names it: POLICY/RULE")
	request.Flags().StringVar(&req.App, "app", "", "app name")
	request.Flags().StringVar(&req.Env, "env", "", "environment name")
	request.Flags().StringVar(&req.Reason, "reason", "", "why the rule should not apply here")
	request.Flags().DurationVar(&ttl, "ttl", 72*time.Hour, "how long the waiver lasts once approved (at most 30 days)")
	for _, f := range []string{"rule", "app", "env", "reason"} {
		_ = request.MarkFlagRequired(f)
	}
	addOutputFlag(request)
	decide := func(approve bool) *cobra.Command {
		verb, short := "reject", "Reject a waiver (the rule's owning role, or an admin)"
		if approve {
			verb, short = "approve", "Approve a waiver (the rule's owning role, or an admin)"
		}
		c := &cobra.Command{
			Use: verb + " ID", Short: short, Args: cobra.ExactArgs(1),
			Example: "  paved waivers " + verb + " w-1a2b3c4d5e6f",
			RunE: func(cmd *cobra.Command, args []string) error {
				c, err := newClient(cmd)
				if err != nil {
					return err
				}
				w, err := c.DecideWaiver(cmd.Context(), args[0], approve)
				if err != nil {
					return err
				}
				fmt.Fprintf(progress(cmd), "waiver %s %s: %s for %s/%s until %s\n", w.ID, w.Status, w.Rule, w.App, w.Env, w.ExpiresAt.Format(time.RFC3339))
				return printDocument(cmd, w)
			},
		}
		addOutputFlag(c)
		return c
	}
	var f paved.WaiverFilter
	var status string
	list := &cobra.Command{
		Use: "list [--app APP] [--env ENV] [--status STATUS]", Short: "Waivers, newest first", Args: cobra.NoArgs,
		Example: "  paved waivers list --status requested\n  paved waivers list --app shop -o json",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			f.Status = paved.WaiverStatus(status)
			ws, err := c.ListWaivers(cmd.Context(), f)
			if err != nil {
				return err
			}
			return printOut(cmd, ws, func() table {
				t := table{header: []string{"ID", "RULE", "APP/ENV", "STATUS", "OWNER", "ASKED BY", "EXPIRES", "REASON"}}
				for _, w := range ws {
					t.rows = append(t.rows, []string{w.ID, w.Rule, w.App + "/" + w.Env, string(w.Status), string(w.Owner), w.RequestedBy, w.ExpiresAt.Format(time.RFC3339), w.Reason})
				}
				return t
			})
		},
	}
	list.Flags().StringVar(&f.App, "app", "", "only this app's")
	list.Flags().StringVar(&f.Env, "env", "", "only this environment's")
	list.Flags().StringVar(&status, "status", "", "requested, approved or rejected")
	completeEnum(list, "status", "requested", "approved", "rejected")
	addOutputFlag(list)
	cmd.AddCommand(request, decide(true), decide(false), list)
	return cmd
}
