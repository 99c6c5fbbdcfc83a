package kubernetes

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/kubetest"
)

// benchWorkloads renders n workloads of six objects each: a Deployment,
// Service, ConfigMap, Secret, ServiceAccount and Ingress.
func benchWorkloads(n int) []paved.Object {
	objs := make([]paved.Object, 0, 6*n)
	for i := range n {
		name := fmt.Sprintf("svc-%03d", i)
		d := deployment(name, 2)
		spec := d["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)
		spec["serviceAccountName"] = name
		objs = append(objs, d,
			paved.Object{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": name},
				// Headless: the test cluster's service range has 254 addresses
				// and every iteration adds 100 Services.
				"spec": map[string]any{"clusterIP": "None", "selector": map[string]any{"app": name},
					"ports": []any{map[string]any{"name": "http", "port": 80, "targetPort": 8080}}}},
			paved.Object{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": name + "-config"},
				"data": map[string]any{"GREETING": "hello", "INDEX": fmt.Sprint(i)}},
			paved.Object{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": name + "-db"},
				"data": map[string]any{"password": "c2VjcmV0"}},
			paved.Object{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": map[string]any{"name": name}},
			paved.Object{"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": map[string]any{"name": name},
				"spec": map[string]any{"rules": []any{map[string]any{"host": name + ".example.test",
					"http": map[string]any{"paths": []any{map[string]any{"path": "/", "pathType": "Prefix",
						"backend": map[string]any{"service": map[string]any{"name": name, "port": map[string]any{"number": 80}}}}}}}}}},
		)
	}
	return objs
}

// BenchmarkApply100Workloads applies 600 objects into a fresh namespace per
// iteration through a target built from the kubeconfig file, as paved does.
//
//	go test -run '^$' -bench 100Workloads -benchtime 5x ./target/kubernetes
func BenchmarkApply100Workloads(b *testing.B) {
	for _, n := range []int{1, 4, 8, 16, 32, 64} {
		b.Run(fmt.Sprintf("concurrency=%d", n), func(b *testing.B) { benchApply(b, n) })
	}
}

func benchApply(b *testing.B, concurrency int) {
	c := cluster.Get(b)
	target, err := FromKubeconfigFile(c.Kubeconfig, "", WithWaitTimeout(0), WithConcurrency(concurrency))
	if err != nil {
		b.Fatal(err)
	}
	objs := benchWorkloads(100)
	cpu := serverCPU(b, c)
	for b.Loop() {
		dc := pavedContext(c.NewNamespace(b))
		res, err := target.Apply(context.Background(), &paved.ApplyRequest{Context: dc, Objects: objs})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Inventory) != len(objs) {
			b.Fatalf("inventory has %d objects, want %d", len(res.Inventory), len(objs))
		}
	}
	cpu.report()
	b.ReportMetric(float64(len(objs)), "objects/op")
}

// BenchmarkKubectlApply100Workloads applies the same 600 objects with
// kubectl apply --server-side -f dir, for comparison.
func BenchmarkKubectlApply100Workloads(b *testing.B) {
	c := cluster.Get(b)
	k := newKubectlBench(b, c, benchWorkloads(100))
	cpu := serverCPU(b, c)
	for b.Loop() {
		b.StopTimer()
		ns := k.namespace()
		b.StartTimer()
		k.apply(ns)
	}
	cpu.report()
	b.ReportMetric(600, "objects/op")
}

// BenchmarkSpeedupOverKubectl alternates a paved apply (default
// concurrency) and a kubectl apply of the same 600 objects in each
// iteration, so that both see the same load on a shared machine, and
// reports both times and their ratio.
//
//	go test -run '^$' -bench SpeedupOverKubectl -benchtime 5x ./target/kubernetes
func BenchmarkSpeedupOverKubectl(b *testing.B) {
	c := cluster.Get(b)
	objs := benchWorkloads(100)
	k := newKubectlBench(b, c, objs)
	target, err := FromKubeconfigFile(c.Kubeconfig, "", WithWaitTimeout(0))
	if err != nil {
		b.Fatal(err)
	}
	var pavedTotal, kubectlTotal time.Duration
	for b.Loop() {
		dc := pavedContext(c.NewNamespace(b))
		start := time.Now()
		if _, err := target.Apply(context.Background(), &paved.ApplyRequest{Context: dc, Objects: objs}); err != nil {
			b.Fatal(err)
		}
		pavedTime := time.Since(start)
		settle()
		ns := k.namespace()
		start = time.Now()
		k.apply(ns)
		pavedTotal, kubectlTotal = pavedTotal+pavedTime, kubectlTotal+time.Since(start)
		settle()
	}
	n := float64(b.N)
	b.ReportMetric(pavedTotal.Seconds()/n, "paved-s/op")
	b.ReportMetric(kubectlTotal.Seconds()/n, "kubectl-s/op")
	b.ReportMetric(kubectlTotal.Seconds()/pavedTotal.Seconds(), "speedup")
}

// settle lets the servers finish what the last apply left them (garbage
// collection, watch events), so that neither side pays for the other's.
func settle() { time.Sleep(time.Second) }

func pavedContext(ns string) paved.DeployContext {
	return paved.DeployContext{App: "bench", Env: "dev", Namespace: ns}
}

// kubectlBench runs kubectl on the objects written one JSON file each. The
// namespace is created outside the timing; kubectl's discovery cache is
// warm after the first run, as on a workstation.
type kubectlBench struct {
	b                   *testing.B
	c                   *kubetest.Cluster
	kubectl, dir, cache string
}

func newKubectlBench(b *testing.B, c *kubetest.Cluster, objs []paved.Object) *kubectlBench {
	kubectl, err := c.Kubectl()
	if err != nil {
		b.Skip(err)
	}
	k := &kubectlBench{b: b, c: c, kubectl: kubectl, dir: b.TempDir(), cache: b.TempDir()}
	for i, o := range objs {
		data, err := json.Marshal(o)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(k.dir, fmt.Sprintf("%03d.json", i)), data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return k
}

func (k *kubectlBench) run(args ...string) {
	args = append([]string{"--kubeconfig", k.c.Kubeconfig, "--cache-dir", k.cache}, args...)
	if out, err := exec.Command(k.kubectl, args...).CombinedOutput(); err != nil {
		k.b.Fatalf("kubectl %v: %v\n%s", args, err, out)
	}
}

func (k *kubectlBench) namespace() string {
	ns := k.c.NewNamespace(k.b)
	k.run("create", "namespace", ns)
	return ns
}

func (k *kubectlBench) apply(ns string) {
	k.run("apply", "--server-side", "--field-manager", "bench", "-n", ns, "-f", k.dir)
}

// cpuMeter reports the apiserver's and etcd's CPU time per iteration: on a
// 2-core machine the server, not the client, bounds how fast objects go in.
type cpuMeter struct {
	b           *testing.B
	c           *kubetest.Cluster
	api0, etcd0 time.Duration
}

func serverCPU(b *testing.B, c *kubetest.Cluster) *cpuMeter {
	api, etcd, err := c.ServerCPU()
	if err != nil {
		return nil
	}
	return &cpuMeter{b: b, c: c, api0: api, etcd0: etcd}
}

func (m *cpuMeter) report() {
	if m == nil {
		return
	}
	api, etcd, err := m.c.ServerCPU()
	if err != nil {
		return
	}
	n := float64(m.b.N)
	m.b.ReportMetric((api-m.api0).Seconds()/n, "apiserver-cpu-s/op")
	m.b.ReportMetric((etcd-m.etcd0).Seconds()/n, "etcd-cpu-s/op")
}
