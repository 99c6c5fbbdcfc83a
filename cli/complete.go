package cli

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/api"
)

// Dynamic completion asks the server (with the command's --server and
// --token, or the login config) for names; when it cannot answer in time
// the shell simply offers nothing.

type completer func(ctx context.Context, cmd *cobra.Command, c *api.Client) ([]string, error)

const completeTimeout = 3 * time.Second

// complete turns a completer into cobra's completion function.
func complete(f completer) cobra.CompletionFunc {
	return func(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		server, token, err := serverAndToken(cmd)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c := api.NewClient(server, token, api.WithUserAgent("paved-cli/"+Version), api.WithTimeout(completeTimeout))
		ctx, cancel := context.WithTimeout(cmd.Context(), completeTimeout)
		defer cancel()
		names, err := f(ctx, cmd, c)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, n := range names {
			if strings.HasPrefix(n, toComplete) {
				out = append(out, n)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// completeFlag registers a flag's completion; a flag the command does not
// have is a bug in the command tree, which the tree test finds.
func completeFlag(cmd *cobra.Command, flag string, f completer) {
	if cmd.Flags().Lookup(flag) == nil {
		panic("cli: completion for " + cmd.Name() + " --" + flag + ", which it does not have")
	}
	_ = cmd.RegisterFlagCompletionFunc(flag, complete(f))
}

// completeEnum registers fixed values for a flag.
func completeEnum(cmd *cobra.Command, flag string, values ...string) {
	if cmd.Flags().Lookup(flag) == nil {
		panic("cli: completion for " + cmd.Name() + " --" + flag + ", which it does not have")
	}
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// onlyFirst completes the first argument and nothing after it.
func onlyFirst(f completer) cobra.CompletionFunc {
	c := complete(f)
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return c(cmd, args, toComplete)
	}
}

func completeApps(ctx context.Context, _ *cobra.Command, c *api.Client) ([]string, error) {
	as, err := c.ListApps(ctx)
	return names(as, func(a paved.App) string { return a.Name }), err
}

// completeEnvs needs --app; without it there is nothing to offer.
func completeEnvs(ctx context.Context, cmd *cobra.Command, c *api.Client) ([]string, error) {
	app, _ := cmd.Flags().GetString("app")
	if app == "" {
		return nil, nil
	}
	es, err := c.ListEnvironments(ctx, app)
	return names(es, func(e paved.Environment) string { return e.Name }), err
}

// completeDeployment offers the newest deployments, of --app when given.
func completeDeployment(ctx context.Context, cmd *cobra.Command, c *api.Client) ([]string, error) {
	f := paved.DeploymentFilter{Limit: 50}
	if cmd.Flags().Lookup("app") != nil {
		f.App, _ = cmd.Flags().GetString("app")
	}
	ds, err := c.ListDeployments(ctx, f)
	return names(ds, func(d paved.Deployment) string { return d.ID }), err
}

func completeDefinitions(ctx context.Context, _ *cobra.Command, c *api.Client) ([]string, error) {
	ds, err := c.ListDefinitions(ctx)
	return names(ds, func(d paved.ResourceDefinition) string { return d.ID }), err
}

func completeTargets(ctx context.Context, _ *cobra.Command, c *api.Client) ([]string, error) {
	ts, err := c.ListTargets(ctx)
	return names(ts, func(t paved.TargetInfo) string { return t.Name }), err
}

func completeTeams(ctx context.Context, _ *cobra.Command, c *api.Client) ([]string, error) {
	ts, err := c.ListTeams(ctx)
	return names(ts, func(t paved.Team) string { return t.Name }), err
}

func completeUsers(ctx context.Context, _ *cobra.Command, c *api.Client) ([]string, error) {
	us, err := c.ListUsers(ctx)
	return names(us, func(u paved.User) string { return u.Name }), err
}

func names[T any](xs []T, name func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = name(x)
	}
	return out
}

var completeDeployments = onlyFirst(completeDeployment)

// envTypeNames lists the environment types for completion.
func envTypeNames() []string {
	var out []string
	for _, t := range paved.EnvTypes() {
		out = append(out, string(t))
	}
	return out
}

// registerCompletions gives every command that talks to a server
// completion of the names its flags take, by the flag's name, where the
// command did not register its own; and fixed values to enum flags.
func registerCompletions(c *cobra.Command) {
	for _, sub := range c.Commands() {
		registerCompletions(sub)
	}
	if c.Flags().Lookup("type") != nil && c.Flags().Lookup("from") != nil {
		_ = c.RegisterFlagCompletionFunc("type", cobra.FixedCompletions(envTypeNames(), cobra.ShellCompDirectiveNoFileComp))
	}
	if c.Flags().Lookup("env-type") != nil {
		_ = c.RegisterFlagCompletionFunc("env-type", cobra.FixedCompletions(envTypeNames(), cobra.ShellCompDirectiveNoFileComp))
	}
	if c.Flags().Lookup("role") != nil {
		var roles []string
		for _, r := range paved.Roles() {
			roles = append(roles, string(r))
		}
		_ = c.RegisterFlagCompletionFunc("role", cobra.FixedCompletions(roles, cobra.ShellCompDirectiveNoFileComp))
	}
	if c.InheritedFlags().Lookup("server") == nil && c.PersistentFlags().Lookup("server") == nil {
		return // offline commands (render, bench) take free-form names
	}
	for flag, f := range map[string]completer{"app": completeApps, "env": completeEnvs, "team": completeTeams, "target": completeTargets, "actor": completeUsers} {
		if c.Flags().Lookup(flag) != nil {
			_ = c.RegisterFlagCompletionFunc(flag, complete(f)) // refused when the command registered its own
		}
	}
}
