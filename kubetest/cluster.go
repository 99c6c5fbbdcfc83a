// Package kubetest runs a real etcd and kube-apiserver for tests, the way
// envtest does but without downloads: the binaries come from test/kube/build.sh.
// No controllers and no kubelet run: Deployments get no Pods and namespaces
// stay Terminating after delete, so tests that need "ready" write status
// subresources themselves (Cluster.RollOut does it for Deployments and
// StatefulSets). Cluster.InstallHTTPRoute adds the Gateway API's HTTPRoute.
package kubetest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"k8s.io/client-go/rest"
)

// Bearer tokens the cluster accepts.
const (
	// AdminToken is the cluster admin's (group system:masters).
	AdminToken = "paved-test-admin-token"
	// NobodyToken authenticates a user without any rights, for tests of
	// forbidden requests.
	NobodyToken = "paved-test-nobody-token"
)

// Cluster is a running etcd and kube-apiserver on 127.0.0.1.
type Cluster struct {
	// Host is the apiserver URL, https://127.0.0.1:<port>.
	Host string
	// Kubeconfig is the path of a kubeconfig file for the admin user.
	Kubeconfig string
	// BinDir holds the binaries (kubectl too, when built).
	BinDir string

	dir       string
	caData    []byte
	etcd      *process
	apiserver *process
	nsCount   atomic.Int64
}

// Start starts etcd and kube-apiserver in a temporary directory and waits
// until the apiserver answers /readyz. ctx bounds the start only.
func Start(ctx context.Context) (*Cluster, error) {
	binDir, err := BinDir()
	if err != nil {
		return nil, err
	}
	etcdBin, err := Binary(binDir, "etcd")
	if err != nil {
		return nil, err
	}
	apiBin, err := Binary(binDir, "kube-apiserver")
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "paved-kubetest-")
	if err != nil {
		return nil, fmt.Errorf("start test cluster: %w", err)
	}
	c := &Cluster{BinDir: binDir, dir: dir}
	if err := c.start(ctx, etcdBin, apiBin); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) start(ctx context.Context, etcdBin, apiBin string) error {
	ports, err := freePorts(3)
	if err != nil {
		return fmt.Errorf("start test cluster: %w", err)
	}
	clientURL := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	peerURL := "http://127.0.0.1:" + strconv.Itoa(ports[1])
	c.etcd, err = startProcess("etcd", etcdBin, filepath.Join(c.dir, "etcd.log"),
		"--name=default",
		"--data-dir="+filepath.Join(c.dir, "etcd"),
		"--listen-client-urls="+clientURL,
		"--advertise-client-urls="+clientURL,
		"--listen-peer-urls="+peerURL,
		"--initial-advertise-peer-urls="+peerURL,
		"--initial-cluster=default="+peerURL,
		// A test cluster loses nothing worth keeping when the machine crashes.
		"--unsafe-no-fsync",
		"--log-level=warn",
	)
	if err != nil {
		return err
	}

	files, err := writeAuthFiles(c.dir)
	if err != nil {
		return err
	}
	certDir := filepath.Join(c.dir, "certs")
	c.apiserver, err = startProcess("kube-apiserver", apiBin, filepath.Join(c.dir, "kube-apiserver.log"),
		"--etcd-servers="+clientURL,
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		// Newer releases refuse a loopback advertise address unless no
		// endpoint reconciler runs; nothing here needs the kubernetes Service.
		"--endpoint-reconciler-type=none",
		"--secure-port="+strconv.Itoa(ports[2]),
		"--cert-dir="+certDir,
		"--token-auth-file="+files.tokens,
		"--authorization-mode=RBAC",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+files.saPublic,
		"--service-account-signing-key-file="+files.saPrivate,
		"--service-cluster-ip-range=10.0.0.0/24",
		"--allow-privileged=true",
	)
	if err != nil {
		return err
	}
	c.Host = "https://127.0.0.1:" + strconv.Itoa(ports[2])
	if err := c.waitReady(ctx); err != nil {
		return err
	}
	// The apiserver writes a self-signed certificate followed by its CA.
	c.caData, err = os.ReadFile(filepath.Join(certDir, "apiserver.crt"))
	if err != nil {
		return fmt.Errorf("start test cluster: read the apiserver certificate: %w", err)
	}
	c.Kubeconfig = filepath.Join(c.dir, "kubeconfig")
	if err := os.WriteFile(c.Kubeconfig, kubeconfigYAML(c.Host, c.caData, AdminToken), 0o600); err != nil {
		return fmt.Errorf("start test cluster: %w", err)
	}
	return nil
}

// waitReady polls /readyz until it answers ok, a server dies, or ctx ends.
func (c *Cluster) waitReady(ctx context.Context) error {
	client := &http.Client{
		Timeout: 2 * time.Second,
		// The CA is not known until the apiserver has written its cert.
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
	}
	defer client.CloseIdleConnections()
	var last error
	for {
		for _, p := range []*process{c.etcd, c.apiserver} {
			if done, err := p.exited(); done {
				return fmt.Errorf("start test cluster: %s exited (%v); last log lines:\n%s", p.name, err, p.tail(20))
			}
		}
		last = c.readyz(ctx, client)
		if last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("start test cluster: kube-apiserver not ready (%v): %w; last log lines:\n%s",
				last, ctx.Err(), c.apiserver.tail(20))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (c *Cluster) readyz(ctx context.Context, client *http.Client) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.Host+"/readyz", nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+AdminToken)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New("readyz: " + resp.Status)
	}
	return nil
}

// Config returns a new client configuration for the admin user. Client-side
// rate limiting is off: the tests measure the server, not a throttle.
func (c *Cluster) Config() *rest.Config {
	return &rest.Config{
		Host:            c.Host,
		BearerToken:     AdminToken,
		TLSClientConfig: rest.TLSClientConfig{CAData: c.caData},
		QPS:             -1,
	}
}

// Stop stops the apiserver, then etcd, and removes the temporary directory.
// An apiserver whose etcd vanished first can ignore SIGTERM for minutes.
func (c *Cluster) Stop() {
	if c.apiserver != nil {
		c.apiserver.stop(15 * time.Second)
	}
	if c.etcd != nil {
		c.etcd.stop(10 * time.Second)
	}
	if c.dir != "" {
		_ = os.RemoveAll(c.dir)
	}
}

// StopAPIServer stops only the apiserver, for tests of an unreachable server.
// Stop still stops etcd and cleans up afterwards.
func (c *Cluster) StopAPIServer() {
	c.apiserver.stop(15 * time.Second)
}

// freePorts asks the kernel for n free ports on 127.0.0.1. They are released
// before the servers bind them; the window is small enough for tests.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// Kubectl returns the path of the kubectl built next to the servers.
func (c *Cluster) Kubectl() (string, error) {
	return Binary(c.BinDir, "kubectl")
}

// KubeconfigData returns a kubeconfig for this cluster that authenticates
// with token, for tests of other users and of rejected credentials.
func (c *Cluster) KubeconfigData(token string) []byte {
	return kubeconfigYAML(c.Host, c.caData, token)
}
