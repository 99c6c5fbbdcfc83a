package gitops

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"gopkg.in/yaml.v3"

	"paved.dev/paved"
)

// workloadObjects returns the seven objects a workload typically renders to.
func workloadObjects(ns, name, image string) []paved.Object {
	labels := map[string]any{"app.kubernetes.io/name": name}
	md := func(n string) map[string]any {
		return map[string]any{"name": n, "namespace": ns, "labels": labels}
	}
	return []paved.Object{
		{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": md(name), "spec": map[string]any{
			"replicas": 2,
			"selector": map[string]any{"matchLabels": labels},
			"template": map[string]any{
				"metadata": map[string]any{"labels": labels},
				"spec": map[string]any{
					"serviceAccountName": name,
					"containers": []any{map[string]any{
						"name": "main", "image": image,
						"ports": []any{map[string]any{"containerPort": 8080}},
						"env": []any{
							map[string]any{"name": "DB_HOST", "value": "db." + ns + ".svc"},
							map[string]any{"name": "DB_PASSWORD", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": name, "key": "password"}}},
						},
						"resources": map[string]any{"requests": map[string]any{"cpu": "100m", "memory": "128Mi"}},
					}},
				},
			},
		}},
		{"apiVersion": "v1", "kind": "Service", "metadata": md(name), "spec": map[string]any{
			"selector": labels,
			"ports":    []any{map[string]any{"name": "http", "port": 80, "targetPort": 8080}},
		}},
		{"apiVersion": "v1", "kind": "ConfigMap", "metadata": md(name), "data": map[string]any{"config.yaml": "log: debug\nport: 8080\n"}},
		{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": md(name)},
		{"apiVersion": "v1", "kind": "Secret", "metadata": md(name), "type": "Opaque", "stringData": map[string]any{"password": "s3cret-" + name}},
		{"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": md(name), "spec": map[string]any{
			"scaleTargetRef": map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
			"minReplicas":    2, "maxReplicas": 5,
		}},
		{"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": md(name), "spec": map[string]any{
			"minAvailable": 1, "selector": map[string]any{"matchLabels": labels},
		}},
	}
}

func appObjects(ns string, workloads int, image string) []paved.Object {
	objs := []paved.Object{{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
	for i := range workloads {
		objs = append(objs, workloadObjects(ns, fmt.Sprintf("svc-%02d", i), image)...)
	}
	return objs
}

func newLocal(t testing.TB, cfg Config) *Target {
	t.Helper()
	if cfg.Path == "" && cfg.URL == "" {
		cfg.Path = filepath.Join(t.TempDir(), "gitops")
	}
	tg, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func apply(t testing.TB, tg *Target, dc paved.DeployContext, id string, objs []paved.Object) *paved.ApplyResult {
	t.Helper()
	res, err := tg.Apply(context.Background(), &paved.ApplyRequest{Context: dc, DeploymentID: id, Objects: objs})
	if err != nil {
		t.Fatalf("apply %s: %v", id, err)
	}
	return res
}

// normalize makes a JSON-shaped tree comparable whatever decoded it.
func normalize(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func fileName(o paved.Object) string {
	r := o.Ref()
	return strings.ToLower(r.Kind) + "-" + r.Name + ".yaml"
}

// commits lists the commit messages from the head of branch back.
func commits(t *testing.T, repoPath, branch string) []*object.Commit {
	t.Helper()
	repo, err := git.PlainOpen(repoPath)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := repo.Reference(plumbing.NewBranchReferenceName(branch), true)
	if err != nil {
		t.Fatal(err)
	}
	iter, err := repo.Log(&git.LogOptions{From: ref.Hash()})
	if err != nil {
		t.Fatal(err)
	}
	var out []*object.Commit
	iter.ForEach(func(c *object.Commit) error { out = append(out, c); return nil })
	return out
}

func TestApplyWritesOneFilePerObject(t *testing.T) {
	t.Parallel()
	tg := newLocal(t, Config{})
	dc := paved.DeployContext{App: "shop", Env: "dev", Namespace: "shop-dev"}
	// Five workloads make enough objects to be stored as one pack.
	objs := appObjects("shop-dev", 5, "shop:1")
	res := apply(t, tg, dc, "d-1", objs)

	files, err := tg.Files(dc)
	if err != nil {
		t.Fatal(err)
	}
	var wantNames []string
	for _, o := range objs {
		wantNames = append(wantNames, fileName(o))
	}
	slices.Sort(wantNames)
	var gotNames []string
	for name := range files {
		if name != kustomizationFileName {
			gotNames = append(gotNames, name)
		}
	}
	slices.Sort(gotNames)
	if !slices.Equal(gotNames, wantNames) {
		t.Fatalf("files:\n got %v\nwant %v", gotNames, wantNames)
	}
	for _, o := range objs {
		var got map[string]any
		if err := yaml.Unmarshal(files[fileName(o)], &got); err != nil {
			t.Fatalf("%s: %v", fileName(o), err)
		}
		if g, w := normalize(t, got), normalize(t, map[string]any(o)); !reflect.DeepEqual(g, w) {
			t.Errorf("%s decodes to\n%v\nwant\n%v", fileName(o), g, w)
		}
	}
	if !strings.Contains(string(files["namespace-shop-dev.yaml"]), "kind: Namespace") {
		t.Errorf("cluster-scoped Namespace not written as namespace-shop-dev.yaml")
	}

	var k struct {
		Kind      string   `yaml:"kind"`
		Resources []string `yaml:"resources"`
	}
	if err := yaml.Unmarshal(files[kustomizationFileName], &k); err != nil {
		t.Fatal(err)
	}
	if k.Kind != "Kustomization" || !slices.Equal(k.Resources, wantNames) {
		t.Errorf("kustomization.yaml = %+v, want resources %v", k, wantNames)
	}

	wantRefs := make([]paved.ObjectRef, len(objs))
	for i, o := range objs {
		wantRefs[i] = o.Ref()
	}
	sortRefs(wantRefs)
	if !reflect.DeepEqual(res.Inventory, wantRefs) {
		t.Errorf("inventory:\n got %v\nwant %v", res.Inventory, wantRefs)
	}
	if len(res.Statuses) != len(objs) {
		t.Errorf("got %d statuses, want %d", len(res.Statuses), len(objs))
	}
	for _, s := range res.Statuses {
		if s.State != paved.ObjectCommitted {
			t.Errorf("status of %s = %s, want committed", s.Ref, s.State)
		}
	}
	inv, err := tg.Inventory(dc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(inv, wantRefs) {
		t.Errorf("Inventory:\n got %v\nwant %v", inv, wantRefs)
	}
	if !res.Committed || res.Observed {
		t.Errorf("Committed %v, Observed %v; a Git repository commits and does not observe", res.Committed, res.Observed)
	}
	head, err := tg.HeadCommit()
	if err != nil || head != res.Revision || len(head) != 40 {
		t.Errorf("HeadCommit = %q, %v; want revision %q", head, err, res.Revision)
	}
	cs := commits(t, tg.cfg.Path, "main")
	if len(cs) != 1 || cs[0].Message != "deploy shop/dev: d-1\n" || cs[0].Author.Name != "paved" || cs[0].Author.Email != "paved@localhost" {
		t.Errorf("commits = %v", cs)
	}

	packs, _ := filepath.Glob(filepath.Join(tg.cfg.Path, ".git", "objects", "pack", "*.pack"))
	if len(packs) != 1 {
		t.Errorf("objects not stored as one pack: %v", packs)
	}
	reopened := newLocal(t, Config{Path: tg.cfg.Path})
	if again, err := reopened.Files(dc); err != nil || !reflect.DeepEqual(again, files) {
		t.Errorf("files read by a new target differ: %v", err)
	}

	// The checkout shows the same files, and git agrees nothing is pending.
	disk, err := os.ReadFile(filepath.Join(tg.cfg.Path, "dev", "shop", "deployment-svc-00.yaml"))
	if err != nil || string(disk) != string(files["deployment-svc-00.yaml"]) {
		t.Errorf("work tree file: %v", err)
	}
	gitStatusClean(t, tg.cfg.Path)
}

// gitStatusClean checks with the git binary, when there is one, that the
// work tree and index written by go-git agree with the commit.
func gitStatusClean(t *testing.T, dir string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		return
	}
	out, err := exec.Command("git", "-C", dir, "status", "--porcelain").CombinedOutput()
	if err != nil {
		t.Fatalf("git status: %v\n%s", err, out)
	}
	if len(out) != 0 {
		t.Errorf("git status is not clean:\n%s", out)
	}
	if out, err := exec.Command("git", "-C", dir, "fsck", "--strict").CombinedOutput(); err != nil {
		t.Errorf("git fsck: %v\n%s", err, out)
	}
}

func TestApplyPrunesAndCommitsOnce(t *testing.T) {
	t.Parallel()
	tg := newLocal(t, Config{})
	dc := paved.DeployContext{App: "shop", Env: "dev"}
	objs := appObjects("shop-dev", 2, "shop:1")
	first := apply(t, tg, dc, "d-1", objs)

	// Drop svc-01's PodDisruptionBudget, change svc-00's ConfigMap.
	next := slices.Clone(objs)
	var removed paved.Object
	next = slices.DeleteFunc(next, func(o paved.Object) bool {
		r := o.Ref()
		if r.Kind == "PodDisruptionBudget" && r.Name == "svc-01" {
			removed = o
			return true
		}
		return false
	})
	for i, o := range next {
		if r := o.Ref(); r.Kind == "ConfigMap" && r.Name == "svc-00" {
			next[i] = paved.Object{"apiVersion": "v1", "kind": "ConfigMap", "metadata": o["metadata"], "data": map[string]any{"config.yaml": "log: info\n"}}
		}
	}
	res, err := tg.Apply(context.Background(), &paved.ApplyRequest{
		Context: dc, DeploymentID: "d-2", Objects: next,
		Author: "Ada Lovelace <ada@example.com>", Message: "lower log level",
		Previous: first.Inventory,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Revision == first.Revision {
		t.Fatal("no new commit")
	}
	cs := commits(t, tg.cfg.Path, "main")
	if len(cs) != 2 || cs[0].Hash.String() != res.Revision || cs[0].ParentHashes[0].String() != first.Revision {
		t.Fatalf("want 2 commits, the new one on top of the first; got %d", len(cs))
	}
	if got, want := cs[0].Message, "deploy shop/dev: d-2\n\nlower log level\n"; got != want {
		t.Errorf("message = %q, want %q", got, want)
	}
	if cs[0].Author.Name != "Ada Lovelace" || cs[0].Author.Email != "ada@example.com" || cs[0].Committer.Name != "paved" {
		t.Errorf("author = %v, committer = %v", cs[0].Author, cs[0].Committer)
	}
	// Exactly the changed file, the removed one and the kustomization.
	parent, _ := cs[0].Parent(0)
	changes := changedPaths(t, parent, cs[0])
	want := []string{"dev/shop/configmap-svc-00.yaml", "dev/shop/kustomization.yaml", "dev/shop/poddisruptionbudget-svc-01.yaml"}
	if !slices.Equal(changes, want) {
		t.Errorf("changed paths = %v, want %v", changes, want)
	}

	files, _ := tg.Files(dc)
	if _, ok := files[fileName(removed)]; ok {
		t.Errorf("%s still committed", fileName(removed))
	}
	if _, err := os.Stat(filepath.Join(tg.cfg.Path, "dev", "shop", fileName(removed))); !os.IsNotExist(err) {
		t.Errorf("%s still in the work tree", fileName(removed))
	}
	if !strings.Contains(string(files["configmap-svc-00.yaml"]), "log: info") {
		t.Errorf("changed ConfigMap not written:\n%s", files["configmap-svc-00.yaml"])
	}
	var pruned []paved.ObjectRef
	for _, s := range res.Statuses {
		if s.State == "pruned" {
			pruned = append(pruned, s.Ref)
		}
	}
	if !reflect.DeepEqual(pruned, []paved.ObjectRef{removed.Ref()}) {
		t.Errorf("pruned = %v, want %v", pruned, removed.Ref())
	}
	gitStatusClean(t, tg.cfg.Path)
}

func changedPaths(t *testing.T, a, b *object.Commit) []string {
	t.Helper()
	ta, _ := a.Tree()
	tb, _ := b.Tree()
	changes, err := object.DiffTree(ta, tb)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range changes {
		name := c.To.Name
		if name == "" {
			name = c.From.Name
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func TestApplyUnchangedMakesNoCommit(t *testing.T) {
	t.Parallel()
	tg := newLocal(t, Config{})
	dc := paved.DeployContext{App: "shop", Env: "dev"}
	objs := appObjects("shop-dev", 3, "shop:1")
	first := apply(t, tg, dc, "d-1", objs)
	// Same objects in another order and a fresh target on the same repo.
	slices.Reverse(objs)
	again := apply(t, tg, dc, "d-2", objs)
	reopened := newLocal(t, Config{Path: tg.cfg.Path})
	third := apply(t, reopened, dc, "d-3", objs)
	if again.Revision != first.Revision || third.Revision != first.Revision {
		t.Errorf("revisions %s, %s; want %s", again.Revision, third.Revision, first.Revision)
	}
	if n := len(commits(t, tg.cfg.Path, "main")); n != 1 {
		t.Errorf("%d commits, want 1", n)
	}
}

func TestDelete(t *testing.T) {
	t.Parallel()
	tg := newLocal(t, Config{})
	web := paved.DeployContext{App: "web", Env: "dev"}
	api := paved.DeployContext{App: "api", Env: "dev"}
	apply(t, tg, web, "d-1", appObjects("web-dev", 1, "web:1"))
	apply(t, tg, api, "d-2", appObjects("api-dev", 1, "api:1"))

	if err := tg.Delete(context.Background(), web, nil, "environment expired"); err != nil {
		t.Fatal(err)
	}
	cs := commits(t, tg.cfg.Path, "main")
	if len(cs) != 3 || cs[0].Message != "delete web/dev\n\nenvironment expired\n" {
		t.Fatalf("commits: %d, last %q", len(cs), cs[0].Message)
	}
	if files, _ := tg.Files(web); len(files) != 0 {
		t.Errorf("web/dev still has %d files", len(files))
	}
	if files, _ := tg.Files(api); len(files) == 0 {
		t.Errorf("api/dev was deleted too")
	}
	if _, err := os.Stat(filepath.Join(tg.cfg.Path, "dev", "web")); !os.IsNotExist(err) {
		t.Errorf("dev/web still in the work tree")
	}
	gitStatusClean(t, tg.cfg.Path)

	// The last app of the environment takes the environment directory with it;
	// deleting again changes nothing.
	for range 2 {
		if err := tg.Delete(context.Background(), api, nil, ""); err != nil {
			t.Fatal(err)
		}
	}
	cs = commits(t, tg.cfg.Path, "main")
	if len(cs) != 4 || cs[0].Message != "delete api/dev\n" {
		t.Fatalf("commits: %d, last %q", len(cs), cs[0].Message)
	}
	tree, _ := cs[0].Tree()
	if len(tree.Entries) != 0 {
		t.Errorf("root tree still has %v", tree.Entries)
	}
	if _, err := os.Stat(filepath.Join(tg.cfg.Path, "dev")); !os.IsNotExist(err) {
		t.Errorf("dev still in the work tree")
	}
}

func TestConcurrentEnvironments(t *testing.T) {
	t.Parallel()
	tg := newLocal(t, Config{})
	const envs = 10
	var wg sync.WaitGroup
	errs := make(chan error, envs)
	for i := range envs {
		wg.Go(func() {
			env := fmt.Sprintf("pr-%d", i)
			_, err := tg.Apply(context.Background(), &paved.ApplyRequest{
				Context:      paved.DeployContext{App: "shop", Env: env},
				DeploymentID: "d-" + env,
				Objects:      appObjects("shop-"+env, 2, "shop:1"),
			})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(commits(t, tg.cfg.Path, "main")); n != envs {
		t.Errorf("%d commits, want %d", n, envs)
	}
	for i := range envs {
		files, err := tg.Files(paved.DeployContext{App: "shop", Env: fmt.Sprintf("pr-%d", i)})
		if err != nil || len(files) != 1+7*2+1 {
			t.Errorf("pr-%d: %d files, %v", i, len(files), err)
		}
	}
	gitStatusClean(t, tg.cfg.Path)
}

func TestSecretsMode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode        SecretsMode
		wantFile    bool
		wantSkipped bool
	}{
		{SecretsPlain, true, false},
		{SecretsOmit, false, true},
	} {
		t.Run(string(tc.mode), func(t *testing.T) {
			t.Parallel()
			tg := newLocal(t, Config{SecretsMode: tc.mode})
			dc := paved.DeployContext{App: "shop", Env: "dev"}
			res := apply(t, tg, dc, "d-1", workloadObjects("shop-dev", "web", "web:1"))
			files, _ := tg.Files(dc)
			if _, ok := files["secret-web.yaml"]; ok != tc.wantFile {
				t.Errorf("secret-web.yaml committed: %v, want %v", ok, tc.wantFile)
			}
			if strings.Contains(string(files[kustomizationFileName]), "secret-web.yaml") != tc.wantFile {
				t.Errorf("kustomization.yaml lists the secret: %v, want %v", !tc.wantFile, tc.wantFile)
			}
			secret := paved.ObjectRef{APIVersion: "v1", Kind: "Secret", Namespace: "shop-dev", Name: "web"}
			var got paved.ObjectStatus
			for _, s := range res.Statuses {
				if s.Ref == secret {
					got = s
				}
			}
			if tc.wantSkipped {
				if got.State != "skipped" || got.Reason != skippedSecretReason {
					t.Errorf("secret status = %+v", got)
				}
				if slices.Contains(res.Inventory, secret) {
					t.Errorf("skipped secret in the inventory")
				}
			} else if got.State != paved.ObjectCommitted {
				t.Errorf("secret status = %+v", got)
			}
		})
	}
}

func TestInvalidInput(t *testing.T) {
	t.Parallel()
	tg := newLocal(t, Config{})
	cm := func(ns, name string) paved.Object {
		return paved.Object{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": name, "namespace": ns}}
	}
	for _, tc := range []struct {
		name string
		dc   paved.DeployContext
		objs []paved.Object
		want string
	}{
		{"env escapes", paved.DeployContext{App: "shop", Env: ".."}, nil, `environment name ".." cannot be a directory name`},
		{"app with slash", paved.DeployContext{App: "a/b", Env: "dev"}, nil, `app name "a/b"`},
		{"no name", paved.DeployContext{App: "shop", Env: "dev"}, []paved.Object{{"apiVersion": "v1", "kind": "ConfigMap"}}, "lacks apiVersion, kind or metadata.name"},
		{"twice", paved.DeployContext{App: "shop", Env: "dev"}, []paved.Object{cm("a", "x"), cm("a", "x")}, "appears twice"},
		{"bad kind", paved.DeployContext{App: "shop", Env: "dev"}, []paved.Object{{"apiVersion": "v1", "kind": "Config/Map", "metadata": map[string]any{"name": "x"}}}, "not alphanumeric"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tg.Apply(context.Background(), &paved.ApplyRequest{Context: tc.dc, Objects: tc.objs})
			if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want invalid containing %q", err, tc.want)
			}
		})
	}

	// The same kind and name in two namespaces get the namespace in the file name.
	dc := paved.DeployContext{App: "shop", Env: "dev"}
	apply(t, tg, dc, "d-1", []paved.Object{cm("a", "x"), cm("b", "x"), cm("a", "y")})
	files, _ := tg.Files(dc)
	for _, name := range []string{"configmap-a-x.yaml", "configmap-b-x.yaml", "configmap-y.yaml"} {
		if _, ok := files[name]; !ok {
			t.Errorf("%s missing; files: %v", name, keys(files))
		}
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestSignature(t *testing.T) {
	t.Parallel()
	def := object.Signature{Name: "paved", Email: "paved@localhost", When: time.Unix(0, 0)}
	for _, tc := range []struct{ in, name, email string }{
		{"", "paved", "paved@localhost"},
		{"Ada Lovelace <ada@example.com>", "Ada Lovelace", "ada@example.com"},
		{"ada@example.com", "ada", "ada@example.com"},
		{"ada", "ada", "paved@localhost"},
		{"<ada@example.com>", "ada", "ada@example.com"},
		{"Evil\n<x>", "Evil", "x"},
	} {
		got := signature(tc.in, def)
		if got.Name != tc.name || got.Email != tc.email {
			t.Errorf("signature(%q) = %q <%q>, want %q <%q>", tc.in, got.Name, got.Email, tc.name, tc.email)
		}
	}
}
