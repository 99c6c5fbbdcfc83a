package cli

import (
	"cmp"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/load"
)

func newBenchLoadCmd() *cobra.Command {
	var cfg load.Config
	cmd := &cobra.Command{
		Use:   "load",
		Short: "Drive a running server at a fixed rate of mixed reads and deployments; report p50/p99 and errors",
		Long: `load sends requests to a paved server at a fixed rate (open loop: each
request is sent when it is due, whatever the answers to the earlier ones) for
a while, as an admin: reads of an app, its environments, a deployment and a
list of deployments, and one deployment in --deploy-every requests, to
--envs development environments in turn (each deployment changes an image).
It creates the app, its team and environments when they are missing, and
after the run waits for every deployment it started to end.

It prints, per kind of request and in all, the requests, errors, p50, p99
and the slowest, each counted from when the request was due (so a generator
that falls behind on a busy machine adds to them rather than hiding a slow
server), and how late the sends were; then the deployments and how many
failed. Every error
counts: a refused or failed request, a request not sent because
--max-in-flight were open, a deployment that did not succeed. The command
exits 1 when there was any. docs/reliability.md#bounded-load has the
figures measured with it.`,
		Example: `  paved bench load --rate 500 --duration 60s
  paved bench load --rate 100 --duration 10s --deploy-every 20 -o json --server http://127.0.0.1:8080`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// As many kept-alive connections as requests may be open: a
			// load generator that opens a connection per request measures
			// its own handshakes.
			tr := http.DefaultTransport.(*http.Transport).Clone()
			tr.MaxIdleConns = cmp.Or(cfg.MaxInFlight, load.DefaultMaxInFlight)
			tr.MaxIdleConnsPerHost = tr.MaxIdleConns
			c, err := newClient(cmd, api.WithHTTPClient(&http.Client{Transport: tr}))
			if err != nil {
				return err
			}
			cfg.Client = c
			cfg.Progress = cmd.ErrOrStderr()
			rep, err := load.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if err := printOut(cmd, rep, func() table { return loadTable(rep) }); err != nil {
				return err
			}
			if n := rep.Errors(); n > 0 {
				for _, e := range rep.FirstErrors {
					fmt.Fprintln(cmd.ErrOrStderr(), "error:", e)
				}
				return paved.Errorf(paved.EUNAVAILABLE, "%d error(s) under load", n)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&cfg.Rate, "rate", 500, "requests per second")
	f.DurationVar(&cfg.Duration, "duration", time.Minute, "how long to send them")
	f.IntVar(&cfg.DeployEvery, "deploy-every", 50, "one request in this many is a deployment")
	f.StringVar(&cfg.App, "app", "load", "the app to deploy and read (created if missing)")
	f.IntVar(&cfg.Envs, "envs", 4, "development environments the deployments go to in turn")
	f.IntVar(&cfg.MaxInFlight, "max-in-flight", load.DefaultMaxInFlight, "requests open at once, beyond which one is not sent (an error)")
	addOutputFlag(cmd)
	addClientFlags(cmd)
	return cmd
}

func loadTable(r *load.Report) table {
	ms := func(d time.Duration) string {
		return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
	}
	t := table{header: []string{"REQUESTS", "KIND", "ERRORS", "P50", "P99", "MAX"}}
	for _, s := range append(r.ByKind, r.All) {
		t.rows = append(t.rows, []string{strconv.Itoa(s.Requests), string(s.Kind), strconv.Itoa(s.Errors), ms(s.P50), ms(s.P99), ms(s.Max)})
	}
	t.rows = append(t.rows,
		[]string{strconv.Itoa(r.Overloaded), "not sent (max in flight)", strconv.Itoa(r.Overloaded), "", "", ""},
		[]string{strconv.Itoa(r.Deployments), "deployments ended", strconv.Itoa(r.DeploymentsFailed) + " failed", "", "", ""},
		[]string{strconv.Itoa(r.Superseded), "superseded (stale plan, a newer one in its place)", "", "", "", ""},
		[]string{"", "sent late by (the generator's own lag, counted in the latencies)", "", ms(r.Lag.P50), ms(r.Lag.P99), ms(r.Lag.Max)},
		[]string{fmt.Sprintf("%.1f/s", r.Achieved), "achieved rate over " + r.Duration.String(), strconv.Itoa(r.Errors()) + " in all", "", "", ""})
	return t
}
