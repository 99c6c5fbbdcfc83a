package cli

import (
	"encoding/json"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/manifest"
)

// clientConfig is what `paved login` remembers.
type clientConfig struct {
	Server string `json:"server"`
	Token  string `json:"token"`
}

// DefaultServer is where the CLI looks for a server when told nothing.
const DefaultServer = "http://127.0.0.1:8080"

func configPath() string {
	if p := os.Getenv("PAVED_CONFIG"); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "paved", "config.json")
}

func readClientConfig() (clientConfig, error) {
	var c clientConfig
	data, err := os.ReadFile(configPath())
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return c, paved.Errorf(paved.EINVALID, "%s is not a paved client config (%v); run paved login again", configPath(), err)
	}
	return c, nil
}

func writeClientConfig(c clientConfig) error {
	p := configPath()
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	data, _ := json.MarshalIndent(c, "", "  ")
	return writeFileMode(p, append(data, '\n'), 0o600)
}

func writeFileMode(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".paved-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// newClient builds an API client from --server/--token, PAVED_SERVER and
// PAVED_TOKEN, or the login config, in that order.
func newClient(cmd *cobra.Command, opts ...api.ClientOption) (*api.Client, error) {
	server, token, err := serverAndToken(cmd)
	if err != nil {
		return nil, err
	}
	return api.NewClient(server, token, append([]api.ClientOption{api.WithUserAgent("paved-cli/" + Version)}, opts...)...), nil
}

// serverAndToken resolves where the CLI talks to and with which token.
func serverAndToken(cmd *cobra.Command) (string, string, error) {
	cfg, err := readClientConfig()
	if err != nil {
		return "", "", err
	}
	server, _ := cmd.Flags().GetString("server")
	token, _ := cmd.Flags().GetString("token")
	if server == "" {
		server = os.Getenv("PAVED_SERVER")
	}
	if server == "" {
		server = cfg.Server
	}
	if server == "" {
		server = DefaultServer
	}
	if token == "" {
		token = os.Getenv("PAVED_TOKEN")
	}
	if token == "" {
		token = cfg.Token
	}
	if u, err := url.Parse(server); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", paved.Errorf(paved.EINVALID, "server URL %q: give it with its scheme, as http://HOST:PORT or https://HOST", server)
	}
	return server, token, nil
}

// addClientFlags adds the flags every command talking to a server has.
func addClientFlags(cmd *cobra.Command) {
	cmd.PersistentFlags().String("server", "", "paved server URL (default $PAVED_SERVER, the login config, or "+DefaultServer+")")
	cmd.PersistentFlags().String("token", "", "bearer token (default $PAVED_TOKEN or the login config)")
}

// output formats.
const (
	formatTable = "table"
	formatJSON  = "json"
	formatYAML  = "yaml"
)

func addOutputFlag(cmd *cobra.Command) {
	cmd.Flags().StringP("output", "o", formatTable, "output format: table, json or yaml")
	_ = cmd.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{formatTable, formatJSON, formatYAML}, cobra.ShellCompDirectiveNoFileComp
	})
}

// table is a value with a table form: a header and rows.
type table struct {
	header []string
	rows   [][]string
}

// printOut writes v in the format asked for; tab builds the table form.
func printOut(cmd *cobra.Command, v any, tab func() table) error {
	format, _ := cmd.Flags().GetString("output")
	w := cmd.OutOrStdout()
	switch format {
	case formatJSON:
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case formatYAML:
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		var tree any
		if err := json.Unmarshal(b, &tree); err != nil {
			return err
		}
		y, err := manifest.Marshal(tree)
		if err != nil {
			return err
		}
		_, err = w.Write(y)
		return err
	case formatTable, "":
		writeTable(w, tab())
		return nil
	}
	return paved.Errorf(paved.EINVALID, "--output: %q is not one of table, json, yaml", format)
}
