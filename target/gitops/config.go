package gitops

import (
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"

	"paved.dev/paved"
)

// SecretsMode says what happens to Secret objects, which would otherwise be
// committed to Git in plain text (base64 is not encryption).
type SecretsMode string

const (
	// SecretsPlain writes Secrets like any other object: fine for a local
	// development repository that never leaves the machine.
	SecretsPlain SecretsMode = "plain"
	// SecretsOmit skips Secrets and reports them as skipped, for repositories
	// that are shared: the secret values must then come from a sealed-secrets
	// or external-secrets definition.
	SecretsOmit SecretsMode = "omit"
	// SecretsSealed writes each Secret as a Bitnami sealed-secrets
	// SealedSecret encrypted with SealingCert: safe to share, and the
	// controller in the cluster turns it back into the Secret.
	SecretsSealed SecretsMode = "sealed"
)

// Defaults.
const (
	DefaultBranch         = "main"
	DefaultAuthorName     = "paved"
	DefaultAuthorEmail    = "paved@localhost"
	DefaultPushRetries    = 5
	defaultSSHUser        = "git"
	defaultTokenUser      = "git"
	skippedSecretReason   = "secrets are not written to Git; use a sealed-secrets or external-secrets definition"
	kustomizationFileName = "kustomization.yaml"
)

// Config configures a GitOps target: either a local repository (Path) or a
// remote one (URL with a local clone in CloneDir).
type Config struct {
	// Path is a local repository, created with `git init` semantics (branch
	// Branch) if it does not exist or is an empty directory. Used when URL is
	// empty.
	Path string
	// URL is a remote repository: https://, ssh://, git@host:path or file://.
	URL string
	// CloneDir is the local clone of URL that paved manages (a bare
	// repository); required with URL.
	CloneDir string
	// Branch receives the commits; DefaultBranch if empty.
	Branch string

	// Username and Password (or Token) authenticate over https. A Token is
	// sent as the password of Username ("git" if empty), which GitHub,
	// GitLab and Gitea accept for access tokens.
	Username string
	Password string
	Token    string
	// SSHKey (PEM) or SSHKeyFile authenticates over ssh as SSHUser ("git").
	SSHKey           []byte
	SSHKeyFile       string
	SSHKeyPassphrase string
	SSHUser          string
	// KnownHostsFile verifies the ssh server's host key; empty means the
	// default files (SSH_KNOWN_HOSTS, ~/.ssh/known_hosts).
	KnownHostsFile string
	// InsecureIgnoreHostKey skips host key verification: for tests only.
	InsecureIgnoreHostKey bool

	// AuthorName and AuthorEmail are the committer of every commit, and the
	// author when a request names none.
	AuthorName  string
	AuthorEmail string

	// SecretsMode defaults to SecretsSealed when SealingCert is set, else
	// to SecretsPlain for a local repository and to SecretsOmit for a
	// remote one.
	SecretsMode SecretsMode
	// SealingCert is the PEM certificate of the sealed-secrets controller
	// (what `kubeseal --fetch-cert` prints), or the one
	// LoadOrCreateSealingKey returns; required in SecretsSealed mode and
	// checked by New.
	SealingCert []byte
	// SealingHashKey keys the hashes recorded next to each sealed value
	// (at least 16 bytes, 32 random ones advised), so that an unchanged
	// value keeps its ciphertext and commits stay stable. It must stay the
	// same across restarts and be the same on every replica, or values
	// are sealed again (harmlessly, but with a commit). Required in
	// SecretsSealed mode.
	SealingHashKey []byte
	// NoKustomization leaves out the kustomization.yaml listing the files of
	// each <env>/<app> directory.
	NoKustomization bool
	// PushRetries bounds how often a rejected push is rebased onto the
	// remote head and pushed again; DefaultPushRetries if zero.
	PushRetries int

	Logger *slog.Logger
}

func (c *Config) remote() bool { return c.URL != "" }

// withDefaults validates c and returns a copy with defaults filled in.
func (c Config) withDefaults() (Config, error) {
	switch {
	case c.URL == "" && c.Path == "":
		return c, paved.Errorf(paved.EINVALID, "gitops target: set a repository path or a remote URL")
	case c.URL != "" && c.Path != "":
		return c, paved.Errorf(paved.EINVALID, "gitops target: set either a repository path or a remote URL, not both")
	case c.URL != "" && c.CloneDir == "":
		return c, paved.Errorf(paved.EINVALID, "gitops target %s: a clone directory is required with a remote URL", redactURL(c.URL))
	}
	if c.URL != "" {
		if _, err := transport.NewEndpoint(c.URL); err != nil {
			return c, paved.Errorf(paved.EINVALID, "gitops target %s: invalid URL", redactURL(c.URL))
		}
	}
	if c.Branch == "" {
		c.Branch = DefaultBranch
	}
	if strings.ContainsAny(c.Branch, " ~^:?*[\\") || strings.HasPrefix(c.Branch, "-") || strings.Contains(c.Branch, "..") {
		return c, paved.Errorf(paved.EINVALID, "gitops target %s: invalid branch name %q", c.name(), c.Branch)
	}
	if c.AuthorName == "" {
		c.AuthorName = DefaultAuthorName
	}
	if c.AuthorEmail == "" {
		c.AuthorEmail = DefaultAuthorEmail
	}
	switch c.SecretsMode {
	case "":
		switch {
		case len(c.SealingCert) > 0:
			c.SecretsMode = SecretsSealed
		case c.remote():
			c.SecretsMode = SecretsOmit
		default:
			c.SecretsMode = SecretsPlain
		}
	case SecretsPlain, SecretsOmit, SecretsSealed:
	default:
		return c, paved.Errorf(paved.EINVALID, "gitops target %s: secrets mode %q is not %q, %q or %q", c.name(), c.SecretsMode, SecretsPlain, SecretsOmit, SecretsSealed)
	}
	if c.PushRetries <= 0 {
		c.PushRetries = DefaultPushRetries
	}
	if c.SSHUser == "" {
		c.SSHUser = defaultSSHUser
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// name is how messages name the target: the path, or the URL without
// credentials.
func (c *Config) name() string {
	if c.URL != "" {
		return redactURL(c.URL)
	}
	return c.Path
}

// auth returns the transport credentials for URL, nil for none.
func (c *Config) auth() (transport.AuthMethod, error) {
	ep, err := transport.NewEndpoint(c.URL)
	if err != nil {
		return nil, err
	}
	switch ep.Protocol {
	case "http", "https":
		user, pass := c.Username, c.Password
		if c.Token != "" {
			pass = c.Token
			if user == "" {
				user = defaultTokenUser
			}
		}
		if user == "" && pass == "" {
			return nil, nil // credentials in the URL, or a public repository
		}
		return &githttp.BasicAuth{Username: user, Password: pass}, nil
	case "ssh":
		key := c.SSHKey
		if len(key) == 0 && c.SSHKeyFile != "" {
			key, err = os.ReadFile(c.SSHKeyFile)
			if err != nil {
				return nil, fmt.Errorf("reading ssh key file %s: %w", c.SSHKeyFile, err)
			}
		}
		user := c.SSHUser
		if ep.User != "" {
			user = ep.User
		}
		var keys *gitssh.PublicKeys
		if len(key) == 0 {
			return nil, nil // ssh-agent or go-git's defaults
		}
		keys, err = gitssh.NewPublicKeys(user, key, c.SSHKeyPassphrase)
		if err != nil {
			return nil, fmt.Errorf("parsing ssh private key: %w", err)
		}
		switch {
		case c.InsecureIgnoreHostKey:
			keys.HostKeyCallback = ssh.InsecureIgnoreHostKey()
		case c.KnownHostsFile != "":
			cb, err := gitssh.NewKnownHostsCallback(c.KnownHostsFile)
			if err != nil {
				return nil, fmt.Errorf("reading known hosts file %s: %w", c.KnownHostsFile, err)
			}
			keys.HostKeyCallback = cb
		}
		return keys, nil
	}
	return nil, nil
}

// redactURL removes the user info from a URL so that a token embedded in
// it never reaches a message or a log.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		// scp-like git@host:path carries a user name only.
		return raw
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.User(u.User.Username())
		}
		if u.User.Username() != "" && u.Scheme != "ssh" {
			// A token is often passed as the user name over https.
			u.User = nil
		}
	}
	return u.String()
}

// scrub removes every credential of c from s, for causes that go-git or the
// network stack formatted.
func (c *Config) scrub(s string) string {
	for _, secret := range []string{c.Password, c.Token, c.SSHKeyPassphrase} {
		if len(secret) >= 4 {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	if c.URL != "" {
		if u, err := url.Parse(c.URL); err == nil && u.User != nil {
			if p, ok := u.User.Password(); ok && p != "" {
				s = strings.ReplaceAll(s, p, "***")
			}
			if n := u.User.Username(); len(n) >= 8 && u.Scheme != "ssh" {
				s = strings.ReplaceAll(s, n, "***")
			}
		}
		s = strings.ReplaceAll(s, c.URL, redactURL(c.URL))
	}
	return userInfo.ReplaceAllString(s, "://")
}

// userInfo matches the user info of any URL in a message.
var userInfo = regexp.MustCompile(`://[^/@\s"']+@`)
