package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
)

// maxKubeconfig bounds the kubeconfig file `paved targets add` sends; the
// server takes bodies large enough for one this size once JSON-escaped.
const maxKubeconfig = 1 << 20

func newTargetsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "targets",
		Aliases: []string{"target"},
		Short:   "Register and probe the clusters environments deploy to (platform team)",
		Long: `A target is where an environment's objects go: the server's GitOps repository,
or a Kubernetes cluster registered with its kubeconfig. A kubeconfig is sealed
at rest on the server and never shown again.`,
	}
	var kubeconfig, kubeContext string
	var inCluster bool
	add := &cobra.Command{
		Use:   "add NAME --kubeconfig FILE [--context CTX] | --in-cluster",
		Short: "Register a Kubernetes cluster as a target (admin)",
		Long: `add registers a cluster under NAME. With --kubeconfig the file (at most 1 MiB)
is sent to the server, which checks that it reaches the cluster, then seals
it; --context picks one of its contexts (default: its current context).
With --in-cluster paved uses the service account it runs as.`,
		Example: `  paved targets add prod-eu --kubeconfig ~/.kube/prod-eu.yaml
  paved targets add prod-eu --kubeconfig ~/.kube/config --context prod-eu-admin
  paved targets add home --in-cluster`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			t := &paved.TargetInfo{Name: args[0], Type: paved.TargetKubernetes, Context: kubeContext, InCluster: inCluster}
			if err := checkOutputFlag(cmd); err != nil {
				return err // before registering, not after
			}
			switch {
			case kubeconfig == "" && !inCluster:
				return paved.Errorf(paved.EINVALID, "give --kubeconfig FILE, or --in-cluster for the cluster paved runs in")
			case kubeconfig != "" && inCluster:
				return paved.Errorf(paved.EINVALID, "--kubeconfig and --in-cluster: give one of them")
			case kubeContext != "" && inCluster:
				return paved.Errorf(paved.EINVALID, "--context picks a context of --kubeconfig; --in-cluster has none")
			}
			if kubeconfig != "" {
				data, err := readLimitedFile(kubeconfig, maxKubeconfig)
				if err != nil {
					return err
				}
				t.Kubeconfig = string(data)
			}
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			out, err := c.RegisterTarget(cmd.Context(), t)
			if err != nil {
				return err
			}
			if isTable(cmd) {
				where := out.Server
				if where == "" {
					where = "in cluster"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "target %s registered (%s, %s); probe it with paved targets probe %s\n", out.Name, out.Type, where, out.Name)
				return nil
			}
			return printOut(cmd, out, nil)
		},
	}
	add.Flags().StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig file of the cluster (at most 1 MiB)")
	add.Flags().StringVar(&kubeContext, "context", "", "context of the kubeconfig to use (default its current context)")
	add.Flags().BoolVar(&inCluster, "in-cluster", false, "use the service account paved runs as")
	addOutputFlag(add)

	list := &cobra.Command{
		Use:     "list",
		Short:   "List the configured and registered targets (never their kubeconfigs)",
		Example: "  paved targets list\n  paved targets list -o json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			ts, err := c.ListTargets(cmd.Context())
			if err != nil {
				return err
			}
			return printOut(cmd, ts, func() table {
				t := table{header: []string{"NAME", "TYPE", "SERVER", "CONTEXT", "CREATED"}}
				for _, ti := range ts {
					ctx := orDash(ti.Context)
					if ti.InCluster {
						ctx = "(in cluster)"
					}
					created := "-" // configured on the server, not registered
					if !ti.CreatedAt.IsZero() {
						created = ti.CreatedAt.Format(time.RFC3339)
					}
					t.rows = append(t.rows, []string{ti.Name, ti.Type, orDash(ti.Server), ctx, created})
				}
				return t
			})
		},
	}
	addOutputFlag(list)

	probe := &cobra.Command{
		Use:     "probe NAME",
		Aliases: []string{"check"},
		Short:   "Probe that paved reaches a target with the rights it needs (admin)",
		Long: `probe asks the server to reach the target: for a cluster, that it answers,
accepts the credentials and lets paved create namespaces and apply objects; for
the GitOps repository, that it can be written. The result is recorded in the
audit log; a target is probed at most once every 10 seconds. The exit code is
7 when the probe failed, so that scripts can wait for a cluster to become
usable.`,
		Example: "  paved targets probe prod-eu\n  until paved targets probe prod-eu; do sleep 10; done",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			h, err := c.ProbeTarget(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if err := printOut(cmd, h, func() table { return probeTable("TARGET", []paved.ProbeResult{*h}) }); err != nil {
				return err
			}
			if h.Status == paved.ProbeFailed {
				return paved.Errorf(paved.EUNAVAILABLE, "target %s failed its probe: %s", h.Name, h.Message)
			}
			return nil
		},
	}
	addOutputFlag(probe)

	remove := &cobra.Command{
		Use:     "remove NAME",
		Aliases: []string{"rm"},
		Short:   "Forget a registered target (admin); refused while environments use it",
		Long: `remove forgets a registered cluster and its sealed kubeconfig. It is refused
while an environment deploys to it: delete those first (paved env delete ENV
--app APP, with --force if the cluster is gone). Targets configured on the
server (the GitOps repository) are refused: they go by changing the server's
flags or config file.`,
		Example:           "  paved targets remove prod-eu",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: onlyFirst(completeTargets),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			if err := c.RemoveTarget(cmd.Context(), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "target %s removed\n", args[0])
			return nil
		},
	}
	probe.ValidArgsFunction = onlyFirst(completeTargets)
	cmd.AddCommand(add, list, probe, remove)
	return cmd
}

// withEnvStatus adds `paved env status` to the env command.
func withEnvStatus(env *cobra.Command) *cobra.Command {
	var app string
	status := &cobra.Command{
		Use:   "status ENV --app APP",
		Short: "Compare an environment's last deployment with what its target holds (drift)",
		Long: `status reads what the environment's last successful deployment applied back
from its target and lists what differs: objects that are missing, and fields
paved manages that were changed by hand (kubectl edit, another controller).
It says "in sync" when nothing differs. Deploying again puts things back.`,
		Example: "  paved env status dev --app shop\n  paved env status prod --app shop -o json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			st, err := c.EnvironmentStatus(cmd.Context(), app, args[0])
			if err != nil {
				return err
			}
			if isTable(cmd) {
				out := cmd.OutOrStdout()
				switch {
				case st.Deployment == "" && len(st.Drift) == 0:
					fmt.Fprintf(out, "%s/%s: in sync (nothing deployed yet, target %s)\n", st.App, st.Env, st.Target)
					return nil
				case len(st.Drift) == 0:
					fmt.Fprintf(out, "%s/%s: in sync with deployment %s on target %s\n", st.App, st.Env, st.Deployment, st.Target)
					return nil
				}
				fmt.Fprintf(out, "%s/%s: %d object(s) differ from deployment %s on target %s\n", st.App, st.Env, len(st.Drift), st.Deployment, st.Target)
			}
			return printOut(cmd, st, func() table {
				t := table{header: []string{"REF", "STATE", "FIELDS"}}
				for _, d := range st.Drift {
					t.rows = append(t.rows, []string{d.Ref.String(), string(d.State), orDash(strings.Join(d.Fields, "; "))})
				}
				return t
			})
		},
	}
	status.Flags().StringVar(&app, "app", "", "app name")
	_ = status.MarkFlagRequired("app")
	addOutputFlag(status)
	env.AddCommand(status)
	return env
}

// withDefinitionsProbe adds `paved definitions probe` to the definitions
// command.
func withDefinitionsProbe(defs *cobra.Command) *cobra.Command {
	probe := &cobra.Command{
		Use:     "probe [ID...]",
		Aliases: []string{"check"},
		Short:   "Probe that definitions' drivers reach what they need, with the rights they need (admin)",
		Long: `probe asks the server to try each definition's driver against what it
provisions on (a database server, a message broker): every stored definition,
or the ones named. A driver that reaches nothing outside the cluster is "not
checked"; one that can check only part (a cmd program without a check mode)
is "limited". Results are recorded in the audit log; a definition is probed at
most once every 10 seconds. The exit code is 7 when any probe failed.`,
		Example: "  paved definitions probe\n  paved definitions probe postgres-prod redis-prod -o json",
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			hs, err := c.ProbeDefinitions(cmd.Context(), args)
			if err != nil {
				return err
			}
			if isTable(cmd) && len(hs) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "no stored definitions to probe")
				return nil
			}
			if err := printOut(cmd, hs, func() table { return probeTable("DEFINITION", hs) }); err != nil {
				return err
			}
			var failed []string
			for _, h := range hs {
				if h.Status == paved.ProbeFailed {
					failed = append(failed, h.Name)
				}
			}
			if len(failed) > 0 {
				return paved.Errorf(paved.EUNAVAILABLE, "%d of %d definitions failed their probe: %s", len(failed), len(hs), strings.Join(failed, ", "))
			}
			return nil
		},
	}
	addOutputFlag(probe)
	defs.AddCommand(probe)
	return defs
}

func probeTable(kind string, hs []paved.ProbeResult) table {
	t := table{header: []string{kind, "STATUS", "MESSAGE"}}
	for _, h := range hs {
		t.rows = append(t.rows, []string{h.Name, string(h.Status), h.Message})
	}
	return t
}

// isTable reports whether the command prints its table form, which some
// commands replace by a sentence.
func isTable(cmd *cobra.Command) bool {
	format, _ := cmd.Flags().GetString("output")
	return format == formatTable || format == ""
}

func checkOutputFlag(cmd *cobra.Command) error {
	switch format, _ := cmd.Flags().GetString("output"); format {
	case formatTable, formatJSON, formatYAML, "":
		return nil
	default:
		return paved.Errorf(paved.EINVALID, "--output: %q is not one of table, json, yaml", format)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
