package cli

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"paved.dev/paved"
	"paved.dev/paved/scorek8s"
	"paved.dev/paved/server"
)

func newServerCmd() *cobra.Command {
	var configFile, logFormat, logLevel string
	var nsTemplates, devTypes []string
	var regions, patchFlags []string
	cfg := server.Config{}
	// settle fills cfg from the flags, the environment and the config
	// file: the server and its subcommands read the same settings.
	settle := func(cmd *cobra.Command) (*slog.Logger, error) {
		// Only the server's own settings come from PAVED_* and the file:
		// a subcommand's flags (recover-admin --user) are given as flags.
		fs := cmd.Flags()
		if cmd.HasParent() && cmd.Parent().Name() == "server" {
			fs = cmd.InheritedFlags()
		}
		err := fillFromEnvAndFile(fs, configFile)
		if err != nil {
			return nil, err
		}
		if cfg.NamespaceTemplates, err = keyValues("--namespace-template", nsTemplates); err != nil {
			return nil, err
		}
		for _, t := range devTypes { // a string slice: split on commas already
			et := paved.EnvType(strings.TrimSpace(t))
			if !et.Valid() {
				return nil, paved.Errorf(paved.EINVALID, "--developer-env-types: %q is not one of %s", et, paved.EnvTypeList())
			}
			cfg.DeveloperEnvTypes = append(cfg.DeveloperEnvTypes, et)
		}
		if cfg.DataRegions, err = dataRegions(regions); err != nil {
			return nil, err
		}
		if cfg.PatchTemplates, err = patchTemplatesByType(patchFlags); err != nil {
			return nil, err
		}
		cfg.SecretKey = os.Getenv("PAVED_SECRET_KEY")
		cfg.OldSecretKey = os.Getenv("PAVED_OLD_SECRET_KEY")
		cfg.AdminToken = os.Getenv("PAVED_ADMIN_TOKEN")
		cfg.GitPassword = os.Getenv("PAVED_GIT_PASSWORD")
		cfg.Version = Version
		log, err := newLogger(cmd, logFormat, logLevel)
		if err != nil {
			return nil, err
		}
		cfg.Logger = log
		return log, nil
	}
	cmd := &cobra.Command{
		Use:   "server",
		Short: "Run the paved server: API, deployments, GitOps target",
		Long: `server runs paved's control plane. On the embedded default it needs nothing
else: a SQLite store, a secret key file and a local GitOps repository in the
data directory. Grown up, --database postgres://... lets several servers share
one PostgreSQL database, and --git-url pushes to a remote repository that
Argo CD or Flux syncs.

On first start it creates the admin user and prints the admin's token once
(or takes it from PAVED_ADMIN_TOKEN).

Settings come from flags, then environment variables (PAVED_ADDR,
PAVED_DATA_DIR, PAVED_DATABASE, PAVED_SECRET_KEY, PAVED_ADMIN_TOKEN,
PAVED_MVP_MODE, PAVED_GIT_URL, PAVED_GIT_USERNAME, PAVED_GIT_PASSWORD), then a
--config file (YAML: the flag names as keys), then the defaults.`,
		Example: `  paved server --data-dir ./paved-data
  PAVED_SECRET_KEY=$(openssl rand -base64 32) paved server --database postgres://paved@db/paved --sealing-cert cert.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := settle(cmd)
			if err != nil {
				return err
			}
			s, err := server.Start(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "paved server on %s (data in %s)\n", s.URL, cfg.DataDir)
			if s.AdminToken != "" {
				fmt.Fprintf(out, "first start: the admin's token (shown once, keep it):\n  %s\n  paved login --server %s --token %s\n", s.AdminToken, s.URL, s.AdminToken)
			}
			select {
			case <-cmd.Context().Done():
				fmt.Fprintln(out, "stopping: waiting for running deployments")
			case <-s.Done():
				if err := s.Err(); err != nil {
					log.Error("the HTTP server stopped", "err", err)
				}
			}
			return s.Close()
		},
	}
	// Persistent: recover-admin opens the same store with the same settings.
	fl := cmd.PersistentFlags()
	fl.StringVar(&configFile, "config", "", "YAML file of settings (flag names as keys)")
	fl.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	fl.StringVar(&cfg.DataDir, "data-dir", "paved-data", "directory for the store, the key file and the GitOps repository")
	fl.StringVar(&cfg.Database, "database", "", "postgres:// URL (default: SQLite in the data dir)")
	fl.BoolVar(&cfg.MVPMode, "mvp-mode", true, "refuse production environments until the MVP is ready for them")
	fl.StringArrayVar(&nsTemplates, "namespace-template", nil, "namespace template of an environment type, TYPE=TEMPLATE with {app}, {env}, {type} (default {app}-{env}); repeatable")
	fl.DurationVar(&cfg.DefaultTTL, "default-ttl", 72*time.Hour, "lifetime of ephemeral environments when none is given")
	fl.DurationVar(&cfg.MaxTTL, "max-ttl", 14*24*time.Hour, "longest lifetime an ephemeral environment may ask for")
	fl.DurationVar(&cfg.ReapEvery, "reap-every", time.Minute, "how often expired environments are deleted")
	fl.DurationVar(&cfg.RolloutTimeout, "rollout-timeout", 2*time.Minute, "how long a deployment to a cluster waits for workloads to roll out; one that does not roll out in time fails, naming them (paved always waits: 0 also means 2m)")
	fl.StringSliceVar(&devTypes, "developer-env-types", []string{"ephemeral", "development"}, "environment types developers may create (the rest need the admin role)")
	fl.DurationVar(&cfg.DefaultTokenTTL, "token-ttl", 90*24*time.Hour, "lifetime of a token issued without one")
	fl.DurationVar(&cfg.MaxTokenTTL, "token-max-ttl", 365*24*time.Hour, "longest lifetime a token may have")
	fl.IntVar(&cfg.MaxFailedLogins, "max-failed-logins", 20, "failed logins (bad, expired or revoked tokens) one client address may make a minute; beyond it its every attempt gets 429 until the minute has passed")
	fl.DurationVar(&cfg.OrphanAfter, "orphan-after", 30*time.Second, "how long a server sharing the store may be silent before another takes it for dead and fails its deployments (at least 1s; servers beat every sixth of it, at most every 5s)")
	fl.DurationVar(&cfg.LeaseTTL, "lease-ttl", 30*time.Second, "how long an environment's deployment lease lasts unless renewed (every third of it); a server killed while deploying holds it this long")
	fl.StringSliceVar(&cfg.ClusterScopedKinds, "cluster-scoped-kinds", nil, "cluster-scoped kinds deployments may apply to registered clusters, as group/Kind (the environment's own Namespace always)")
	fl.BoolVar(&cfg.InsecureKubeconfigExec, "insecure-kubeconfig-exec", false, "let registered kubeconfigs run exec or auth-provider plugins on this server")
	fl.BoolVar(&cfg.NoLegacyAdoption, "no-legacy-adoption", false, "on registered clusters, never adopt objects written by a paved version without installation ids (they are adopted by default, when the environment's last deployment lists them)")
	fl.BoolVar(&cfg.InsecureKubeconfigFiles, "insecure-kubeconfig-files", false, "let registered kubeconfigs read files on this server (tokenFile, certificate paths)")
	fl.StringVar(&cfg.SealingCert, "sealing-cert", "", "certificate of the clusters' sealed-secrets controller (kubeseal --fetch-cert); default: a key pair made once in the data dir")
	fl.StringVar(&cfg.GitURL, "git-url", "", "remote GitOps repository (default: a local one in the data dir)")
	fl.StringVar(&cfg.GitBranch, "git-branch", "main", "branch of the GitOps repository")
	fl.StringVar(&cfg.GitUsername, "git-username", "", "user for the remote repository (password: PAVED_GIT_PASSWORD)")
	fl.StringSliceVar(&cfg.AllowedRegistries, "allowed-registries", nil, "registries images may come from, such as ghcr.io,registry.example:5000 (the security pack; default: any)")
	fl.StringArrayVar(&regions, "data-regions", nil, "regions a data classification may live in, CLASS=REGION,REGION (the data pack; repeatable; default: any)")
	fl.StringArrayVar(&patchFlags, "patch-templates", nil, "score-k8s patch templates of an environment type, TYPE=FILE|DIR, applied to every deployment of that type (repeatable, in order)")
	fl.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	cmd.AddCommand(newRecoverAdminCmd(settle, &cfg))
	cmd.AddCommand(newRotateKeysCmd(settle, &cfg))
	return cmd
}

func newRecoverAdminCmd(settle func(*cobra.Command) (*slog.Logger, error), cfg *server.Config) *cobra.Command {
	var user string
	var ttl time.Duration
	cmd := &cobra.Command{
		Use:   "recover-admin",
		Short: "Issue a break-glass admin token when no admin can log in",
		Long: `recover-admin is the way back in when every admin token has expired, was
revoked or is lost. Run it on the server's host with the server's --data-dir
or --database (or its --config): it opens the existing store as it is (nothing
is created or migrated, nothing is served, no secret key is needed), refuses a
store at another schema, and prints a new token for the admin user, creating
that user, enabling it and making it an admin if need be. A running server
accepts the token at once. The audit log records it as done by
local-operator; the token is named "break-glass <time>" and lasts --ttl.
Log in with it, issue proper tokens, then revoke it:
paved user token revoke USER --id TOKEN_ID.`,
		Example: `  paved server recover-admin --data-dir ./paved-data
  paved server recover-admin --database postgres://paved@db/paved --user ana --ttl 1h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, err := settle(cmd); err != nil {
				return err
			}
			tok, err := server.RecoverAdmin(cmd.Context(), *cfg, user, ttl)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "break-glass token for the admin user %s (id %s, expires %s; shown once):\n  %s\n", tok.User, tok.ID, tok.ExpiresAt.UTC().Format(time.RFC3339), tok.Secret)
			fmt.Fprintf(out, "log in with it (the server's URL; http://127.0.0.1:8080 by default):\n  paved login --server URL --token %s\nthen issue proper tokens and revoke this one:\n  paved user token revoke %s --id %s\n", tok.Secret, tok.User, tok.ID)
			return nil
		},
	}
	cmd.Flags().StringVar(&user, "user", "admin", "admin user to issue the token for (created if missing)")
	cmd.Flags().DurationVar(&ttl, "ttl", 24*time.Hour, "lifetime of the token")
	return cmd
}

// fillFromEnvAndFile sets every flag the command line left alone from
// PAVED_<FLAG> or the config file.
func fillFromEnvAndFile(fs *pflag.FlagSet, file string) error {
	fromFile := map[string]any{}
	if file != "" {
		data, err := readLimitedFile(file, 1<<20)
		if err != nil {
			return err
		}
		if err := yaml.Unmarshal(data, &fromFile); err != nil {
			return paved.Errorf(paved.EINVALID, "--config %s: not YAML: %v", file, err)
		}
		for k := range fromFile {
			if fs.Lookup(k) == nil || k == "config" {
				return paved.Errorf(paved.EINVALID, "--config %s: unknown setting %q; settings are the server's flag names", file, k)
			}
		}
	}
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if err != nil || f.Changed {
			return
		}
		env := "PAVED_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if e := f.Value.Set(v); e != nil {
				err = paved.Errorf(paved.EINVALID, "%s: %v", env, e)
			}
			return
		}
		v, ok := fromFile[f.Name]
		if !ok {
			return
		}
		// A YAML list sets a list flag (--cluster-scoped-kinds, a
		// repeatable --namespace-template), one element each.
		list, isList := v.([]any)
		sv, takesList := f.Value.(pflag.SliceValue)
		var e error
		switch {
		case isList && takesList:
			items := make([]string, len(list))
			for i, x := range list {
				items[i] = fmt.Sprint(x)
			}
			e = sv.Replace(items)
		case isList:
			e = fmt.Errorf("takes one value, not a list")
		default:
			e = f.Value.Set(fmt.Sprint(v))
		}
		if e != nil {
			err = paved.Errorf(paved.EINVALID, "--config %s: %s: %v", file, f.Name, e)
		}
	})
	return err
}

func newLogger(cmd *cobra.Command, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "--log-level: %q is not debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), opts)), nil
	}
	return nil, paved.Errorf(paved.EINVALID, "--log-format: %q is not text or json", format)
}

// dataRegions reads --data-regions CLASS=REGION,REGION flags.
func dataRegions(flags []string) (map[string][]string, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	out := map[string][]string{}
	for _, f := range flags {
		class, list, ok := strings.Cut(f, "=")
		class = strings.ToLower(strings.TrimSpace(class))
		if !ok || class == "" || strings.TrimSpace(list) == "" {
			return nil, paved.Errorf(paved.EINVALID, "--data-regions %q: write CLASS=REGION,REGION, such as pii=eu-west-1,eu-central-1", f)
		}
		for _, r := range strings.Split(list, ",") {
			if r = strings.TrimSpace(r); r != "" {
				out[class] = append(out[class], r)
			}
		}
	}
	return out, nil
}

// patchTemplatesByType reads --patch-templates TYPE=FILE|DIR flags.
func patchTemplatesByType(flags []string) (map[paved.EnvType][]*scorek8s.PatchTemplate, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	out := map[paved.EnvType][]*scorek8s.PatchTemplate{}
	for _, f := range flags {
		typ, path, ok := strings.Cut(f, "=")
		et := paved.EnvType(strings.TrimSpace(typ))
		if !ok || strings.TrimSpace(path) == "" || !et.Valid() {
			return nil, paved.Errorf(paved.EINVALID, "--patch-templates %q: write TYPE=FILE|DIR with TYPE one of %s, such as development=./patches", f, paved.EnvTypeList())
		}
		ps, err := scorek8s.ReadPatchTemplates(strings.TrimSpace(path))
		if err != nil {
			return nil, paved.Errorf(paved.EINVALID, "--patch-templates %s", paved.ErrorMessage(err))
		}
		out[et] = append(out[et], ps...)
	}
	return out, nil
}
