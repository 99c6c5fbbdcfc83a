package kubernetes

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"

	"paved.dev/paved"
)

// A kubeconfig is data a registrant hands to the paved server, but some of
// its fields make the client act on the server's machine, as the server:
//
//   - users[].user.exec runs a program (CVE-2022-24817 in Flux was this);
//   - users[].user.auth-provider runs a client-go plugin, which may persist
//     refreshed tokens and calls out to identity providers;
//   - users[].user.tokenFile, client-certificate and client-key, and
//     clusters[].cluster.certificate-authority read local files. tokenFile is
//     the worst: its content is sent as a bearer token to whatever server the
//     kubeconfig names, so a registrant pointing it at
//     /var/run/secrets/kubernetes.io/serviceaccount/token reads paved's own
//     service account token. The others read files into a TLS handshake or
//     probe which files exist.
//
// These are refused unless the operator allows them, as Flux does with
// --insecure-kubeconfig-exec and by refusing file references. What stays
// allowed acts only on the registrant's own cluster: inline token,
// client-certificate-data/client-key-data, certificate-authority-data,
// username/password, impersonation (as, as-groups: the cluster authorizes
// it), insecure-skip-tls-verify and proxy-url (they weaken or route only the
// registrant's own connection; the server URL already lets a registrant pick
// where paved connects).
//
// Only the user and cluster of the context in use are checked: a
// kubeconfig's other contexts are never used.

// WithInsecureKubeconfigExec allows kubeconfig users with an exec plugin or
// an auth-provider: paved runs the program or plugin the kubeconfig names,
// as itself. For a server whose registrants are trusted as much as its
// operator (e.g. EKS or GKE clusters that need aws or gke-gcloud-auth-plugin).
func WithInsecureKubeconfigExec(allow bool) Option {
	return func(o *options) { o.insecureExec = allow }
}

// WithInsecureKubeconfigFiles allows kubeconfig fields that name local files
// (tokenFile, client-certificate, client-key, certificate-authority): paved
// reads them as itself. For kubeconfig files the operator wrote, such as
// minikube's or kind's.
func WithInsecureKubeconfigFiles(allow bool) Option {
	return func(o *options) { o.insecureFiles = allow }
}

// ErrKubeconfigExec and ErrKubeconfigFiles are causes (errors.Is) of a
// kubeconfig's refusal that WithInsecureKubeconfigExec or
// WithInsecureKubeconfigFiles would lift, so that a program that sets the
// options from its own settings can name the settings (paved's server
// names its flags).
var (
	ErrKubeconfigExec  = errors.New("the kubeconfig runs a program (WithInsecureKubeconfigExec)")
	ErrKubeconfigFiles = errors.New("the kubeconfig reads local files (WithInsecureKubeconfigFiles)")
)

// checkKubeconfig refuses the fields above in the user and cluster the
// context uses, naming the first offending field of each entry.
func checkKubeconfig(raw *clientcmdapi.Config, contextName string, o options) error {
	users, clusters := usedEntries(raw, contextName)
	var problems []string
	var causes []error
	add := func(problem string, cause error) {
		problems = append(problems, problem)
		if !slices.Contains(causes, cause) {
			causes = append(causes, cause)
		}
	}
	for _, name := range users {
		if p, cause := userProblem(name, raw.AuthInfos[name], o); p != "" {
			add(p, cause)
		}
	}
	for _, name := range clusters {
		if c := raw.Clusters[name]; c != nil && c.CertificateAuthority != "" && !o.insecureFiles {
			add(fmt.Sprintf("cluster %q reads the local file certificate-authority: %s (%s)", name, c.CertificateAuthority, fixFiles("certificate-authority-data")), ErrKubeconfigFiles)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	err := paved.Errorf(paved.EINVALID, "kubernetes target %q: the kubeconfig would make the paved server act on its own machine: %s", o.name, strings.Join(problems, "; "))
	err.Err = errors.Join(causes...)
	return err
}

// userProblem says what is refused about a user, and which of the errors
// above it is.
func userProblem(name string, u *clientcmdapi.AuthInfo, o options) (string, error) {
	if u == nil {
		return "", nil
	}
	switch {
	case u.Exec != nil && !o.insecureExec:
		return fmt.Sprintf("user %q has an exec plugin (exec: command %q), which paved would run; put the credentials inline (token, or client-certificate-data and client-key-data), or have the operator allow exec plugins (WithInsecureKubeconfigExec)", name, u.Exec.Command), ErrKubeconfigExec
	case u.AuthProvider != nil && !o.insecureExec:
		return fmt.Sprintf("user %q has an auth-provider (%s), a plugin paved would run; put the credentials inline (token, or client-certificate-data and client-key-data), or have the operator allow exec plugins (WithInsecureKubeconfigExec)", name, u.AuthProvider.Name), ErrKubeconfigExec
	case u.TokenFile != "" && !o.insecureFiles:
		return fmt.Sprintf("user %q reads the local file tokenFile: %s (%s)", name, u.TokenFile, fixFiles("token")), ErrKubeconfigFiles
	case u.ClientCertificate != "" && !o.insecureFiles:
		return fmt.Sprintf("user %q reads the local file client-certificate: %s (%s)", name, u.ClientCertificate, fixFiles("client-certificate-data")), ErrKubeconfigFiles
	case u.ClientKey != "" && !o.insecureFiles:
		return fmt.Sprintf("user %q reads the local file client-key: %s (%s)", name, u.ClientKey, fixFiles("client-key-data")), ErrKubeconfigFiles
	}
	return "", nil
}

func fixFiles(inline string) string {
	return "put the content inline as " + inline + ", e.g. with kubectl config view --minify --flatten, or have the operator allow local files (WithInsecureKubeconfigFiles)"
}

// usedEntries names the user and cluster that client-go takes for the
// context (contextName, else the current context). When no context resolves,
// which client-go may still turn into a config, every entry counts.
func usedEntries(raw *clientcmdapi.Config, contextName string) (users, clusters []string) {
	if contextName == "" {
		contextName = raw.CurrentContext
	}
	if ctx, ok := raw.Contexts[contextName]; ok && ctx != nil {
		return []string{ctx.AuthInfo}, []string{ctx.Cluster}
	}
	for n := range raw.AuthInfos {
		users = append(users, n)
	}
	for n := range raw.Clusters {
		clusters = append(clusters, n)
	}
	slices.Sort(users)
	slices.Sort(clusters)
	return users, clusters
}
