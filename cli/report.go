package cli

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
)

type reportFlags struct {
	audience, out     string
	deploySaved       time.Duration
	previewSaved      time.Duration
	hourlyRate        float64
	deploySet, pvwSet bool
}

func newReportCmd() *cobra.Command {
	f := &reportFlags{}
	cmd := &cobra.Command{
		Use:   "report --audience leadership|engineering -o FILE.html|FILE.pdf",
		Short: "A demo report for leadership or engineers: one self-contained HTML file with its charts, or a PDF",
		Long: `report produces the demo report of the platform as it stands, from the
platform's own records, as one HTML file with its charts (inline CSS and SVG,
no script, nothing fetched from elsewhere), or as a PDF when FILE ends in
.pdf (printed by headless Chromium, which must be installed).

leadership: the program's phase and checks, objectives, the adoption funnel
per cohort, DORA with bands and the trend against the 30 days before,
estimated time saved (every assumption stated, and changed with the flags
below or paved scaffolds time-saved set), cost per team where finance has a
price list, risks (policy denials, waivers, failed deployments, open checks,
pitfalls) and the next cohort.

engineering: golden paths (templates), the resource types available per
environment type, how to deploy, the policies that apply with their rules,
recent deployments, definitions and changes.

Producing a report is audited (report.generate): the program's Adoption
phase counts a report for each audience. docs/reports.md has the details.`,
		Example: `  paved report --audience leadership -o leadership.html
  paved report --audience engineering -o engineering.pdf
  paved report --audience leadership -o leadership.pdf --deployment-time-saved 45m --preview-time-saved 3h --hourly-rate 90`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f.deploySet, f.pvwSet = cmd.Flags().Changed("deployment-time-saved"), cmd.Flags().Changed("preview-time-saved")
			return runReport(cmd, f)
		},
	}
	cmd.Flags().StringVar(&f.audience, "audience", "", "who the report is for: leadership or engineering")
	cmd.Flags().StringVarP(&f.out, "output", "o", "", "the file to write: FILE.html, or FILE.pdf (needs Chromium)")
	cmd.Flags().DurationVar(&f.deploySaved, "deployment-time-saved", paved.DefaultDeploymentTimeSaved, "what one successful deployment is assumed to save")
	cmd.Flags().DurationVar(&f.previewSaved, "preview-time-saved", paved.DefaultPreviewTimeSaved, "what one preview environment is assumed to save")
	cmd.Flags().Float64Var(&f.hourlyRate, "hourly-rate", 0, "an engineer hour's cost, to convert the time saved to money (the price list's currency)")
	_ = cmd.MarkFlagRequired("audience")
	_ = cmd.MarkFlagRequired("output")
	_ = cmd.RegisterFlagCompletionFunc("audience", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{string(paved.AudienceLeadership), string(paved.AudienceEngineering)}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// reportFormat is what the output file's name asks for: html or pdf.
func reportFormat(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".html", ".htm":
		return "html", nil
	case ".pdf":
		return "pdf", nil
	}
	return "", paved.Errorf(paved.EINVALID, "--output: %q ends neither in .html nor in .pdf; name the file report.html or report.pdf", path)
}

func runReport(cmd *cobra.Command, f *reportFlags) error {
	format, err := reportFormat(f.out)
	if err != nil {
		return err
	}
	req := &paved.ReportRequest{Audience: paved.ReportAudience(f.audience), HourlyRate: f.hourlyRate}
	if f.deploySet {
		d := paved.Duration(f.deploySaved)
		req.DeploymentTimeSaved = &d
	}
	if f.pvwSet {
		d := paved.Duration(f.previewSaved)
		req.PreviewTimeSaved = &d
	}
	if err := req.Validate(); err != nil {
		return paved.Errorf(paved.EINVALID, "--%s", strings.ReplaceAll(paved.ErrorMessage(err), "_", "-"))
	}
	if format == "pdf" {
		// Chromium is looked for before the report is asked for: a
		// missing browser fails before anything is audited.
		if _, err := findChromium(); err != nil {
			return err
		}
	}
	c, err := newClient(cmd)
	if err != nil {
		return err
	}
	rep, err := c.Report(cmd.Context(), req)
	if err != nil {
		return err
	}
	return writeReport(cmd, rep, f.out, format)
}

// writeReport writes a report as HTML or PDF and says where.
func writeReport(cmd *cobra.Command, rep *paved.Report, path, format string) error {
	data := rep.HTML
	if format == "pdf" {
		var err error
		if data, err = htmlToPDF(cmd.Context(), rep.HTML); err != nil {
			return err
		}
	}
	if err := writeFileMode(path, data, 0o644); err != nil {
		return paved.Errorf(paved.EINVALID, "--output %s: %v", path, err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote the %s report (%s, %d bytes) to %s\n", rep.Audience, format, len(data), path)
	return nil
}
