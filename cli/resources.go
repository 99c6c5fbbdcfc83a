package cli

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/definition"
)

func newResourcesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "resources", Aliases: []string{"resource"}, Short: "Show an environment's provisioned resources"}
	var app, env string
	var reveal bool
	list := &cobra.Command{
		Use: "list --app APP --env ENV", Short: "List resources (secret outputs redacted)", Args: cobra.NoArgs,
		Example: "  paved resources list --app shop --env dev\n  paved resources list --app shop --env dev -o json",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			rs, err := c.ListResources(cmd.Context(), app, env)
			if err != nil {
				return err
			}
			return printOut(cmd, rs, func() table {
				t := table{header: []string{"RESOURCE", "DEFINITION", "DRIVER", "OUTPUTS"}}
				for _, r := range rs {
					t.rows = append(t.rows, []string{string(r.UID), r.DefinitionID, r.Driver, strings.Join(slices.Sorted(maps.Keys(r.Outputs)), ",")})
				}
				return t
			})
		},
	}
	addOutputFlag(list)
	outputs := &cobra.Command{
		Use:   "outputs RESOURCE_UID --app APP --env ENV [--reveal]",
		Short: "Show a resource's outputs; secret ones only with --reveal (audited)",
		Example: `  paved resources outputs 'postgres.default#api.db' --app shop --env dev
  paved resources outputs 'postgres.default#api.db' --app shop --env dev --reveal -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			out, err := c.Outputs(cmd.Context(), app, env, paved.ResourceUID(args[0]), reveal)
			if err != nil {
				return err
			}
			return printOut(cmd, out, func() table {
				t := table{header: []string{"OUTPUT", "VALUE"}}
				for _, k := range slices.Sorted(maps.Keys(out)) {
					t.rows = append(t.rows, []string{k, fmt.Sprint(out[k])})
				}
				return t
			})
		},
	}
	outputs.Flags().BoolVar(&reveal, "reveal", false, "show secret outputs in clear (needs the right to deploy the app)")
	addOutputFlag(outputs)
	for _, sub := range []*cobra.Command{list, outputs} {
		sub.Flags().StringVar(&app, "app", "", "app name")
		sub.Flags().StringVar(&env, "env", "", "environment name")
		_ = sub.MarkFlagRequired("app")
		_ = sub.MarkFlagRequired("env")
	}
	cmd.AddCommand(list, outputs, newPruneCmd())
	return cmd
}

func newTypesCmd() *cobra.Command {
	var app, env string
	cmd := &cobra.Command{
		Use:     "types --app APP --env ENV",
		Short:   "What resource types can I use in this app and environment?",
		Example: "  paved types --app shop --env dev",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			ts, err := c.ResourceTypes(cmd.Context(), app, env)
			if err != nil {
				return err
			}
			return printOut(cmd, ts, func() table {
				t := table{header: []string{"TYPE", "CLASS", "DEFINITION", "DRIVER", "OUTPUTS", "DESCRIPTION"}}
				for _, ti := range ts {
					class := ti.Class
					if class == "" {
						class = paved.DefaultClass
					}
					var outs []string
					for _, o := range ti.Outputs {
						n := o.Name
						if o.Secret {
							n += "*"
						}
						outs = append(outs, n)
					}
					t.rows = append(t.rows, []string{ti.Type, class, ti.Definition, ti.Driver, strings.Join(outs, ","), ti.Description})
				}
				return t
			})
		},
	}
	cmd.Flags().StringVar(&app, "app", "", "app name")
	cmd.Flags().StringVar(&env, "env", "", "environment name")
	_ = cmd.MarkFlagRequired("app")
	_ = cmd.MarkFlagRequired("env")
	addOutputFlag(cmd)
	return cmd
}

func newDefinitionsCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "definitions", Aliases: []string{"definition", "defs"}, Short: "Manage resource definitions (platform team)"}
	var files []string
	var keepStale bool
	apply := &cobra.Command{
		Use:   "apply -f FILE_OR_DIR...",
		Short: "Create or update resource definitions; every change is kept as a new version",
		Long: `apply reads definition documents (see docs/resource-definitions.md) from files or
directories of *.yaml files, checks them against their drivers, and stores a new
version of each one that changed.

score-k8s provisioner files (*.provisioners.yaml; a directory such as .score-k8s
is read as score-k8s reads it, those files only) are translated together, in the
order given, so the first match holds across every -f. A provisioner that an
applied file held before and holds no more is deleted (--keep-stale keeps it),
and apply names the paved definitions a provisioner now takes resources from
(see docs/score-k8s-compatibility.md).`,
		Example: "  paved definitions apply -f ./definitions\n  paved definitions apply -f .score-k8s\n  paved definitions apply -f 10-service.provisioners.yaml -f 20-dns.provisioners.yaml --keep-stale",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			return applyDefinitions(cmd, c, files, keepStale)
		},
	}
	apply.Flags().StringArrayVarP(&files, "file", "f", nil, "definitions file or directory (repeatable)")
	apply.Flags().BoolVar(&keepStale, "keep-stale", false, "keep the provisioners an applied provisioner file no longer holds (by default they are deleted)")
	_ = apply.MarkFlagRequired("file")
	list := &cobra.Command{
		Use: "list", Short: "List the platform team's definitions (secret inputs redacted)", Args: cobra.NoArgs,
		Example: "  paved definitions list\n  paved definitions list -o yaml",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			ds, err := c.ListDefinitions(cmd.Context())
			if err != nil {
				return err
			}
			return printOut(cmd, ds, func() table { return definitionsTable(ds) })
		},
	}
	addOutputFlag(list)
	history := &cobra.Command{
		Use: "history ID", Short: "Every version of a definition", Args: cobra.ExactArgs(1),
		Example: "  paved definitions history postgres-staging\n  paved definitions history postgres-staging -o json",
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			ds, err := c.DefinitionHistory(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return printOut(cmd, ds, func() table { return definitionsTable(ds) })
		},
	}
	addOutputFlag(history)
	del := &cobra.Command{
		Use:   "delete ID",
		Short: "Stop a definition from matching (admin); its history is kept",
		Long: `delete stores a version of the definition marked deleted: it matches nothing
from then on, and history still shows every version, the deleted one last.
Resources it provisioned keep working and are deprovisioned with the version
that made them; the next deployment of an environment that used it matches
another definition, and its plan shows the switch. Applying the definition
again makes a new version.`,
		Example:           "  paved definitions delete postgres-old\n  paved definitions history postgres-old",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: onlyFirst(completeDefinitions),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			d, err := c.DeleteDefinition(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(progress(cmd), "definition %s deleted (version %d marks it; paved definitions history %s)\n", d.ID, d.Version, d.ID)
			return printDocument(cmd, d)
		},
	}
	addOutputFlag(del)
	history.ValidArgsFunction = onlyFirst(completeDefinitions)
	cmd.AddCommand(apply, list, history, del)
	return cmd
}

func definitionsTable(ds []paved.ResourceDefinition) table {
	t := table{header: []string{"ID", "TYPE", "DRIVER", "VERSION", "CRITERIA"}}
	for _, d := range ds {
		var cs []string
		for _, c := range d.Criteria {
			cs = append(cs, definition.DescribeCriteria(c))
		}
		t.rows = append(t.rows, []string{d.ID, d.Type, d.Driver, fmt.Sprint(d.Version), strings.Join(cs, " | ")})
	}
	return t
}

func newAuditCmd() *cobra.Command {
	var limit int
	var actor, action string
	var since time.Duration
	cmd := &cobra.Command{
		Use: "audit", Short: "The audit log: who changed what, when, with what result", Args: cobra.NoArgs,
		Example: "  paved audit\n  paved audit --actor dana --since 24h\n  paved audit --action deploy -o json",
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			f := paved.AuditFilter{Actor: actor, Action: action, Limit: limit}
			if since > 0 {
				t := time.Now().Add(-since)
				f.Since = &t
			}
			es, err := c.ListAudit(cmd.Context(), f)
			if err != nil {
				return err
			}
			return printOut(cmd, es, func() table {
				t := table{header: []string{"TIME", "ACTOR", "ACTION", "TARGET", "RESULT"}}
				for _, e := range es {
					t.rows = append(t.rows, []string{e.Time.Format(time.RFC3339), e.Actor, e.Action, e.Target, e.Result})
				}
				return t
			})
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 50, "how many entries")
	cmd.Flags().StringVar(&actor, "actor", "", "only this user's entries")
	cmd.Flags().StringVar(&action, "action", "", "only this action (deploy, env.create, token.revoke...)")
	cmd.Flags().DurationVar(&since, "since", 0, "only entries of the last DURATION (24h)")
	addOutputFlag(cmd)
	return cmd
}
