package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

// newScorecardCmd shows an app's scorecards.
func newScorecardCmd() *cobra.Command {
	var app, id string
	cmd := &cobra.Command{
		Use:   "scorecard --app APP [--scorecard ID]",
		Short: "An app's scorecards: the level reached on each, every rule's pass or fail and how to pass it",
		Long: `scorecard computes the app's results on the scorecards in force (the built-in
mvp and production-ready, and those the platform team applied) from what the
platform knows of it: deployments every week, staging, a rollback, previews,
definitions made for the app alone, policy denials, owner and on-call,
health, cost, waivers, sign-offs (docs/scorecards.md lists the facts). A
level needs all its rules and every lower level's. A result that changed
since the last one recorded is recorded, for the trend (paved scorecards
history).`,
		Example: `  paved scorecard --app shop
  paved scorecard --app shop --scorecard production-ready -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			out, err := c.AppScorecards(cmd.Context(), app, id)
			if err != nil {
				return err
			}
			return printOut(cmd, out, func() table { return scorecardsTable(out) })
		},
	}
	cmd.Flags().StringVar(&app, "app", "", "app name")
	cmd.Flags().StringVar(&id, "scorecard", "", "only this scorecard (default: every one)")
	_ = cmd.MarkFlagRequired("app")
	completeFlag(cmd, "scorecard", completeScorecards)
	addOutputFlag(cmd)
	return cmd
}

// completeScorecards offers the ids of the scorecards in force.
func completeScorecards(ctx context.Context, _ *cobra.Command, c *api.Client) ([]string, error) {
	scs, err := c.ListScorecards(ctx)
	var ids []string
	for _, sc := range scs {
		ids = append(ids, sc.ID)
	}
	return ids, err
}

// levelName names a level, "none" for none.
func levelName(l paved.ScorecardLevel) string {
	if l == "" {
		return "none"
	}
	return string(l)
}

func scorecardsTable(out *paved.AppScorecards) table {
	t := table{header: []string{"SCORECARD", "LEVEL", "", "RULE", "RULE LEVEL", "HOW TO PASS"}}
	for _, r := range out.Scorecards {
		level := levelName(r.Level)
		if r.Next != "" {
			level += " (next: " + string(r.Next) + ")"
		}
		for i, rule := range r.Rules {
			name, lv, mark, hint := "", "", "✓", "-"
			if i == 0 {
				name, lv = r.Scorecard, level
			}
			if !rule.Pass {
				mark, hint = "✗", orDash(rule.Hint)
			}
			t.rows = append(t.rows, []string{name, lv, mark, rule.Title, string(rule.Level), hint})
		}
	}
	return t
}

func newScorecardsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "scorecards", Short: "Scorecards: rules over apps with levels bronze, silver and gold"}
	var files []string
	var owner string
	apply := &cobra.Command{
		Use:   "apply -f FILE_OR_DIR... [--owner ROLE]",
		Short: "Create or update scorecards (their owner role, or an admin); every change is a new version",
		Long: `apply reads scorecards, Rego modules (*.rego; a file is a scorecard named by its
file name) of package paved.scorecards.<name> with a rules object mapping
each rule id to {"level": "bronze"|"silver"|"gold", "title", "pass", "hint"}
over input.facts, and optionally title and bar (docs/scorecards.md). Each
one that changed is stored as a new version; one that does not compile, or
whose rules are not of that shape, is refused naming the line or the rule.
A file named as a built-in scorecard (mvp, production-ready) takes its
place. --owner is the role that owns them (security, data, finance, admin);
without it a scorecard keeps its owner, and a new one is your role's.`,
		Example: `  paved scorecards apply -f ./scorecards
  paved scorecards apply -f hardened.rego --owner security`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			fs, err := readRegoFiles(files)
			if err != nil {
				return err
			}
			var scs []paved.Scorecard
			for _, f := range fs {
				scs = append(scs, paved.Scorecard{ID: f.id, Owner: paved.Role(owner), Module: f.module})
			}
			out, err := c.ApplyScorecards(cmd.Context(), scs)
			if err != nil {
				return err
			}
			for _, sc := range out {
				fmt.Fprintf(progress(cmd), "scorecard %s (owned by %s): version %d\n", sc.ID, sc.Owner, sc.Version)
			}
			return printDocument(cmd, out)
		},
	}
	apply.Flags().StringArrayVarP(&files, "file", "f", nil, "a .rego file or a directory of them (repeatable)")
	apply.Flags().StringVar(&owner, "owner", "", "the owning role: security, data, finance or admin (default: the scorecard's, or yours for a new one)")
	_ = apply.MarkFlagRequired("file")
	completeEnum(apply, "owner", "security", "data", "finance", "admin")
	addOutputFlag(apply)
	list := &cobra.Command{
		Use: "list", Short: "The scorecards in force: stored ones and the built-in ones", Args: cobra.NoArgs,
		Example: "  paved scorecards list\n  paved scorecards list -o yaml",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			scs, err := c.ListScorecards(cmd.Context())
			if err != nil {
				return err
			}
			return printOut(cmd, scs, func() table {
				t := table{header: []string{"ID", "OWNER", "VERSION", "UPDATED BY", "DESCRIPTION"}}
				for _, sc := range scs {
					v := "built in"
					if sc.Version > 0 {
						v = strconv.Itoa(sc.Version)
					}
					t.rows = append(t.rows, []string{sc.ID, string(sc.Owner), v, orDash(sc.UpdatedBy), orDash(sc.Description)})
				}
				return t
			})
		},
	}
	addOutputFlag(list)
	var app string
	var limit int
	history := &cobra.Command{
		Use:   "history ID --app APP [--limit N]",
		Short: "An app's recorded results on a scorecard, newest first: one per change",
		Example: `  paved scorecards history mvp --app shop
  paved scorecards history production-ready --app shop --limit 10 -o json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: complete(completeScorecards),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			hs, err := c.ScorecardHistory(cmd.Context(), app, args[0], limit)
			if err != nil {
				return err
			}
			return printOut(cmd, hs, func() table {
				t := table{header: []string{"AT", "LEVEL", "VERSION", "FAILING"}}
				for _, h := range hs {
					t.rows = append(t.rows, []string{h.At.UTC().Format("2006-01-02 15:04:05"), levelName(h.Level), strconv.Itoa(h.Version), orDash(strings.Join(h.Failed, ", "))})
				}
				return t
			})
		},
	}
	history.Flags().StringVar(&app, "app", "", "app name")
	history.Flags().IntVar(&limit, "limit", 0, "at most this many (default 100, at most 1000)")
	_ = history.MarkFlagRequired("app")
	addOutputFlag(history)
	cmd.AddCommand(apply, list, history)
	return cmd
}
