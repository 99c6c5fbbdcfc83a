package cli

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"paved.dev/paved"
)

func newProgramCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "program",
		Short: "The MVP program: phases and their checks, objectives, cohorts, pitfalls",
		Long: `program shows where the MVP stands: the current phase (the first incomplete
one of discovery, integration, deployment, adoption), every check with why it
is not met and how to meet it, the objectives measured against their targets
(DORA, over the last 30 days, with the 30 before as the trend), each cohort's
funnel (invited, first deployment, deploying every week), the requirements
the platform lacks, and the pitfalls the data shows.`,
		Example: `  paved program
  paved program -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			v, err := c.Program(cmd.Context())
			if err != nil {
				return err
			}
			if structured(cmd) {
				return printDocument(cmd, v)
			}
			printProgram(cmd, v)
			return nil
		},
	}
	addOutputFlag(cmd)
	cmd.AddCommand(newProgramApplyCmd(), newProgramInviteCmd(), newProgramAnnounceCmd(), newProgramNextCmd())
	return cmd
}

func printProgram(cmd *cobra.Command, v *paved.ProgramView) {
	w := cmd.OutOrStdout()
	fmt.Fprintf(w, "iteration %d, started %s: phase %s\n", v.Program.Iteration, v.Program.StartedAt.UTC().Format(time.DateOnly), v.Phase)
	for _, ph := range v.Phases {
		mark := "✗"
		if ph.Done {
			mark = "✓"
		}
		fmt.Fprintf(w, "\n%s %s\n", mark, ph.Phase)
		for _, c := range ph.Checks {
			m := "  ✗"
			if c.Done {
				m = "  ✓"
			}
			line := m + " " + c.Title
			if c.Manual {
				line += " (confirmed by " + string(c.Role) + ")"
			}
			if !c.Done && c.Why != "" {
				line += ": " + c.Why
			}
			fmt.Fprintln(w, line)
		}
	}
	if len(v.Objectives) > 0 {
		fmt.Fprintln(w, "\nobjectives")
		for _, o := range v.Objectives {
			fmt.Fprintf(w, "  %s %s: %s (target %s%g; before: %s) — %s\n", map[bool]string{true: "✓", false: "✗"}[o.Met], o.Title,
				value(o.Value), map[bool]string{true: "≤ ", false: "≥ "}[o.AtMost], o.Target, value(o.Previous), o.Measures)
		}
	}
	for _, f := range v.Funnels {
		fmt.Fprintf(w, "\ncohort %d %s: %d invited, %d deployed, %d deploying weekly\n", f.Cohort, f.Name, f.Invited, f.Deployed, f.Weekly)
		for _, t := range f.Teams {
			first := "no deployment yet"
			if t.FirstDeployment != nil {
				first = "first deployment " + t.FirstDeployment.UTC().Format(time.DateOnly)
				if t.TimeToFirst != nil {
					first += fmt.Sprintf(" (%.1f h after the invitation)", *t.TimeToFirst)
				}
			}
			fmt.Fprintf(w, "  %s: %s%s\n", t.Team, first, map[bool]string{true: ", deploying weekly", false: ""}[t.Weekly])
		}
	}
	if len(v.Requirements) > 0 {
		fmt.Fprintln(w, "\nrequirements")
		for _, r := range v.Requirements {
			fmt.Fprintf(w, "  cohort %d: %s%s\n", r.Cohort, r.Title, map[bool]string{true: " (computed)", false: ""}[r.Computed])
		}
	}
	if len(v.Pitfalls) > 0 {
		fmt.Fprintln(w, "\npitfalls")
		for _, p := range v.Pitfalls {
			fmt.Fprintf(w, "  ! %s: %s — %s\n", p.Kind, p.Message, p.Fix)
		}
	}
}

func value(v *float64) string {
	if v == nil {
		return "no data"
	}
	return strconv.FormatFloat(*v, 'g', 4, 64)
}

func newProgramApplyCmd() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "apply -f program.yaml",
		Short: "Replace the program's spec: objectives, golden paths, cohorts, requirements (admin)",
		Long: `apply replaces what the platform team declares of the program, as a whole:
objectives (a DORA metric and a target each), the golden paths agreed, the
representative app, cohorts (teams join one with paved team update --cohort),
the next cohort and requirements found by hand. The iteration, the
communication log, the history and invitations stay. Audited.`,
		Example: `  paved program apply -f program.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			data, err := readLimitedFile(file, 1<<20)
			if err != nil {
				return err
			}
			var spec paved.ProgramSpec
			dec := yaml.NewDecoder(bytes.NewReader(data))
			dec.KnownFields(true)
			if err := dec.Decode(&spec); err != nil {
				return paved.Errorf(paved.EINVALID, "-f %s: %s", file, err)
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			pr, err := c.ApplyProgram(cmd.Context(), &spec)
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "program version %d: %d objectives, %d golden paths, %d cohorts\n", pr.Version, len(pr.Objectives), len(pr.GoldenPaths), len(pr.Cohorts))
			return printDocument(cmd, pr)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "the program (YAML)")
	_ = cmd.MarkFlagRequired("file")
	addOutputFlag(cmd)
	return cmd
}

func newProgramInviteCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "invite COHORT",
		Short:   "Record that a cohort's teams were invited now; their funnel counts from it (admin)",
		Example: `  paved program invite 2`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.Atoi(args[0])
			if err != nil {
				return usageError{fmt.Errorf("COHORT: %q is not a cohort number", args[0])}
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			pr, err := c.InviteCohort(cmd.Context(), n)
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "cohort %d invited\n", n)
			return printDocument(cmd, pr)
		},
	}
	addOutputFlag(cmd)
	return cmd
}

func newProgramAnnounceCmd() *cobra.Command {
	var audience string
	cmd := &cobra.Command{
		Use:     "announce --audience AUDIENCE TITLE",
		Short:   "Add to the program's communication log (admin)",
		Example: `  paved program announce --audience "cohort 2" "previews are open to every team"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			pr, err := c.Announce(cmd.Context(), &paved.Announcement{Audience: audience, Title: args[0]})
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "announced to %s (%d in the log)\n", audience, len(pr.Announcements))
			return printDocument(cmd, pr)
		},
	}
	cmd.Flags().StringVar(&audience, "audience", "", "who it was for (engineering, leadership, cohort 2...)")
	_ = cmd.MarkFlagRequired("audience")
	addOutputFlag(cmd)
	return cmd
}

func newProgramNextCmd() *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "next [--force]",
		Short: "End the iteration and start the next at Discovery, for the next cohort (admin)",
		Long: `next keeps the iteration's phases and objectives as they stand in the
program's history and starts the next iteration at Discovery. It is refused
while a check is open, listing them, unless --force.`,
		Example: `  paved program next
  paved program next --force`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			pr, err := c.NextIteration(cmd.Context(), force)
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "iteration %d started\n", pr.Iteration)
			return printDocument(cmd, pr)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "start the next iteration though checks are open")
	addOutputFlag(cmd)
	return cmd
}

func newFeedbackCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   `feedback "TEXT"`,
		Short: "Tell the platform team what is in your way (any user)",
		Long: `feedback records what you say of the platform, for the platform team to
triage into its roadmap (paved roadmap). paved feedback list shows it.`,
		Example: `  paved feedback "previews take ten minutes to come up"`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(args[0]) == "" {
				return usageError{fmt.Errorf("TEXT: say what is in your way")}
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			f, err := c.GiveFeedback(cmd.Context(), args[0], "cli")
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "thank you: feedback #%d recorded\n", f.ID)
			return printDocument(cmd, f)
		},
	}
	list := &cobra.Command{
		Use:     "list",
		Short:   "List feedback, newest first",
		Example: `  paved feedback list -o json`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			fs, err := c.ListFeedback(cmd.Context())
			if err != nil {
				return err
			}
			return printOut(cmd, fs, func() table {
				t := table{header: []string{"#", "WHEN", "WHO", "FROM", "ITEM", "TEXT"}}
				for _, f := range fs {
					t.rows = append(t.rows, []string{strconv.FormatInt(f.ID, 10), f.At.UTC().Format(time.DateOnly), f.Author, f.Source, orDash(f.Item), f.Text})
				}
				return t
			})
		},
	}
	addOutputFlag(list)
	var item string
	triage := &cobra.Command{
		Use:     "triage ID --item ITEM",
		Short:   "Link feedback to a roadmap item (admin)",
		Example: `  paved feedback triage 12 --item faster-previews`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return usageError{fmt.Errorf("ID: %q is not a feedback number", args[0])}
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			f, err := c.Triage(cmd.Context(), id, item)
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "feedback #%d → %s\n", f.ID, f.Item)
			return printDocument(cmd, f)
		},
	}
	triage.Flags().StringVar(&item, "item", "", "the roadmap item")
	_ = triage.MarkFlagRequired("item")
	addOutputFlag(triage)
	addOutputFlag(cmd)
	cmd.AddCommand(list, triage)
	return cmd
}

func newRoadmapCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "roadmap",
		Short: "The platform's roadmap: items by status (proposed, planned, in_progress, done) and votes",
	}
	list := &cobra.Command{
		Use:     "list",
		Short:   "List the roadmap by status, then votes",
		Example: `  paved roadmap list`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			items, err := c.ListRoadmap(cmd.Context())
			if err != nil {
				return err
			}
			return printOut(cmd, items, func() table {
				t := table{header: []string{"ID", "STATUS", "VOTES", "FEEDBACK", "TITLE"}}
				for _, it := range items {
					t.rows = append(t.rows, []string{it.ID, string(it.Status), strconv.Itoa(it.Votes), strconv.Itoa(len(it.Feedback)), it.Title})
				}
				return t
			})
		},
	}
	addOutputFlag(list)
	var title, status string
	set := &cobra.Command{
		Use:   "set ITEM --title TITLE [--status STATUS]",
		Short: "Create or change a roadmap item (admin)",
		Example: `  paved roadmap set faster-previews --title "Previews up in a minute"
  paved roadmap set faster-previews --title "Previews up in a minute" --status in_progress`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			it, err := c.PutRoadmapItem(cmd.Context(), &paved.RoadmapItem{ID: args[0], Title: title, Status: paved.RoadmapStatus(status)})
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "%s: %s (%s)\n", it.ID, it.Title, it.Status)
			return printDocument(cmd, it)
		},
	}
	set.Flags().StringVar(&title, "title", "", "what the item delivers")
	set.Flags().StringVar(&status, "status", "", "proposed (new items), planned, in_progress or done")
	_ = set.MarkFlagRequired("title")
	completeEnum(set, "status", "proposed", "planned", "in_progress", "done")
	addOutputFlag(set)
	vote := &cobra.Command{
		Use:     "vote ITEM",
		Short:   "Vote for a roadmap item (once)",
		Example: `  paved roadmap vote faster-previews`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			it, err := c.Vote(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "%s has %d votes\n", it.ID, it.Votes)
			return printDocument(cmd, it)
		},
	}
	addOutputFlag(vote)
	cmd.AddCommand(list, set, vote)
	return cmd
}
