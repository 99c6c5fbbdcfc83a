package gitops

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"paved.dev/paved"
)

// BenchmarkApply20Workloads commits an app of 20 workloads (141 objects,
// 142 files with the kustomization) to a local repository that already holds
// ten other environments of it, with a checkout kept in step or bare.
//
//	new-env:      every file is new (a preview environment opens)
//	image-change: the 20 Deployments change (a release)
//	unchanged:    nothing changed, no commit
func BenchmarkApply20Workloads(b *testing.B) {
	for _, bare := range []bool{false, true} {
		name := "checkout"
		if bare {
			name = "bare"
		}
		b.Run(name, func(b *testing.B) { benchmarkApply(b, bare) })
	}
}

func benchmarkApply(b *testing.B, bare bool) {
	ctx := context.Background()
	setup := func(b *testing.B) *Target {
		path := filepath.Join(b.TempDir(), "gitops")
		if bare {
			if _, err := git.PlainInit(path, true); err != nil {
				b.Fatal(err)
			}
		}
		tg := newLocal(b, Config{Path: path})
		for i := range 10 {
			env := fmt.Sprintf("other-%d", i)
			apply(b, tg, paved.DeployContext{App: "shop", Env: env}, "d-0", appObjects("shop-"+env, 20, "shop:0"))
		}
		return tg
	}
	b.Run("new-env", func(b *testing.B) {
		tg := setup(b)
		i := 0
		for b.Loop() {
			env := fmt.Sprintf("pr-%d", i)
			i++
			if _, err := tg.Apply(ctx, &paved.ApplyRequest{Context: paved.DeployContext{App: "shop", Env: env}, DeploymentID: "d", Objects: appObjects("shop-"+env, 20, "shop:1")}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("image-change", func(b *testing.B) {
		tg := setup(b)
		dc := paved.DeployContext{App: "shop", Env: "dev"}
		versions := make([][]paved.Object, 64)
		for v := range versions {
			versions[v] = appObjects("shop-dev", 20, fmt.Sprintf("shop:%d", v))
		}
		i := 0
		for b.Loop() {
			i++
			if _, err := tg.Apply(ctx, &paved.ApplyRequest{Context: dc, DeploymentID: "d", Objects: versions[i%len(versions)]}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		tg := setup(b)
		dc := paved.DeployContext{App: "shop", Env: "dev"}
		objs := appObjects("shop-dev", 20, "shop:1")
		apply(b, tg, dc, "d", objs)
		for b.Loop() {
			if _, err := tg.Apply(ctx, &paved.ApplyRequest{Context: dc, DeploymentID: "d", Objects: objs}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkWorktreeBaseline is what the same release costs through go-git's
// worktree (write files, add the directory, commit): the reason Apply builds
// trees from the object store instead.
func BenchmarkWorktreeBaseline(b *testing.B) {
	tg := newLocal(b, Config{})
	for i := range 10 {
		env := fmt.Sprintf("other-%d", i)
		apply(b, tg, paved.DeployContext{App: "shop", Env: env}, "d-0", appObjects("shop-"+env, 20, "shop:0"))
	}
	repo, err := git.PlainOpen(tg.cfg.Path)
	if err != nil {
		b.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(tg.cfg.Path, "dev", "shop")
	os.MkdirAll(dir, 0o755)
	i := 0
	for b.Loop() {
		i++
		files, _, err := render(appObjects("shop-dev", 20, fmt.Sprintf("shop:%d", i)), SecretsPlain)
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range files {
			if err := os.WriteFile(filepath.Join(dir, f.name), f.data, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		if err := wt.AddWithOptions(&git.AddOptions{Path: "dev/shop"}); err != nil {
			b.Fatal(err)
		}
		if _, err := wt.Commit("deploy shop/dev", &git.CommitOptions{Author: &object.Signature{Name: "paved", Email: "paved@localhost"}}); err != nil {
			b.Fatal(err)
		}
	}
}
