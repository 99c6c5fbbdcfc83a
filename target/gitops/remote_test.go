package gitops

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"paved.dev/paved"
)

// bareRemote returns a bare repository and its file:// URL. go-git serves
// file:// URLs with git-upload-pack and git-receive-pack (https and ssh are
// pure Go), so these tests need git installed.
func bareRemote(t *testing.T) (string, string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed: go-git runs git-receive-pack for file:// remotes")
	}
	dir := filepath.Join(t.TempDir(), "remote.git")
	if _, err := git.PlainInit(dir, true); err != nil {
		t.Fatal(err)
	}
	return dir, "file://" + dir
}

func newRemote(t *testing.T, url string) *Target {
	t.Helper()
	tg, err := New(Config{URL: url, CloneDir: filepath.Join(t.TempDir(), "clone")})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func remoteHead(t *testing.T, dir string) plumbing.Hash {
	t.Helper()
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := repo.Reference(plumbing.NewBranchReferenceName("main"), false)
	if err != nil {
		t.Fatalf("remote branch: %v", err)
	}
	return ref.Hash()
}

// outsideCommit adds a file at the root of the remote's main branch, as a
// person or another tool pushing to the GitOps repository would.
func outsideCommit(t *testing.T, dir, name, content string) plumbing.Hash {
	t.Helper()
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := repo.Storer
	parent := remoteHead(t, dir)
	root, _ := commitTree(s, parent)
	entries, _ := treeEntries(s, root)
	h := plumbing.ComputeHash(plumbing.BlobObject, []byte(content))
	if err := writeBlob(s, h, []byte(content)); err != nil {
		t.Fatal(err)
	}
	entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: h})
	tree, err := writeTree(s, entries)
	if err != nil {
		t.Fatal(err)
	}
	sig := object.Signature{Name: "someone", Email: "someone@example.com", When: time.Now()}
	c, err := writeCommit(s, tree, parent, sig, sig, "add "+name+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetReference(plumbing.NewHashReference(plumbing.NewBranchReferenceName("main"), c)); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRemotePushAndRetry(t *testing.T) {
	t.Parallel()
	remoteDir, url := bareRemote(t)
	tg := newRemote(t, url)
	if err := tg.Probe(context.Background()); err != nil {
		t.Fatalf("probe of an empty remote: %v", err)
	}
	dc := paved.DeployContext{App: "shop", Env: "dev"}

	// The first push creates the branch in an empty repository.
	first := apply(t, tg, dc, "d-1", appObjects("shop-dev", 2, "shop:1"))
	if got := remoteHead(t, remoteDir); got.String() != first.Revision {
		t.Fatalf("remote head %s, want %s", got, first.Revision)
	}
	if err := tg.Probe(context.Background()); err != nil {
		t.Fatalf("probe: %v", err)
	}

	// Someone pushes between our commit and our push: the push is rejected,
	// and the deployment is committed again on top of their commit.
	var outside plumbing.Hash
	tg.beforePush = func() {
		if outside.IsZero() {
			outside = outsideCommit(t, remoteDir, "README.md", "hello\n")
		}
	}
	var log []string
	res, err := tg.Apply(context.Background(), &paved.ApplyRequest{
		Context: dc, DeploymentID: "d-2", Objects: appObjects("shop-dev", 2, "shop:2"),
		Log: func(m string) { log = append(log, m) },
	})
	if err != nil {
		t.Fatal(err)
	}
	cs := commits(t, remoteDir, "main")
	if len(cs) != 3 || cs[0].Hash.String() != res.Revision || cs[0].ParentHashes[0] != outside || cs[1].Hash != outside {
		t.Fatalf("remote history: want d-2 on top of the outside commit on top of d-1; got %d commits", len(cs))
	}
	if !strings.Contains(strings.Join(log, "\n"), "push rejected") {
		t.Errorf("log does not mention the retry: %q", log)
	}
	tree, _ := cs[0].Tree()
	if _, err := tree.File("README.md"); err != nil {
		t.Errorf("outside commit's file lost: %v", err)
	}
	f, err := tree.File("dev/shop/deployment-svc-00.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := f.Contents(); !strings.Contains(body, "image: shop:2") {
		t.Errorf("deployment not updated:\n%s", body)
	}

	// A second replica with its own clone sees the same head, and an
	// unchanged deployment there makes no commit.
	tg.beforePush = nil
	other := newRemote(t, url)
	again := apply(t, other, dc, "d-3", appObjects("shop-dev", 2, "shop:2"))
	if again.Revision != res.Revision {
		t.Errorf("replica revision %s, want %s", again.Revision, res.Revision)
	}
	// Rolling back from the replica is a real change even though the
	// first target's clone is behind.
	back := apply(t, other, dc, "d-4", appObjects("shop-dev", 2, "shop:1"))
	again = apply(t, tg, dc, "d-5", appObjects("shop-dev", 2, "shop:2"))
	if cs := commits(t, remoteDir, "main"); len(cs) != 5 || cs[1].Hash.String() != back.Revision || cs[0].Hash.String() != again.Revision {
		t.Errorf("want d-5 on d-4 on top; got %d commits", len(cs))
	}

	if err := tg.Delete(context.Background(), dc, nil, ""); err != nil {
		t.Fatal(err)
	}
	if cs := commits(t, remoteDir, "main"); cs[0].Message != "delete shop/dev\n" {
		t.Errorf("last remote commit %q", cs[0].Message)
	}
	if files, _ := tg.Files(dc); len(files) != 0 {
		t.Errorf("files left after delete: %v", keys(files))
	}
}

func TestRemoteRetriesAreBounded(t *testing.T) {
	t.Parallel()
	remoteDir, url := bareRemote(t)
	tg := newRemote(t, url)
	tg.cfg.PushRetries = 2
	dc := paved.DeployContext{App: "shop", Env: "dev"}
	apply(t, tg, dc, "d-1", appObjects("shop-dev", 1, "shop:1"))
	n := 0
	tg.beforePush = func() {
		n++
		outsideCommit(t, remoteDir, "file-"+string(rune('a'+n)), "x\n")
	}
	_, err := tg.Apply(context.Background(), &paved.ApplyRequest{Context: dc, DeploymentID: "d-2", Objects: appObjects("shop-dev", 1, "shop:2")})
	if paved.ErrorCode(err) != paved.ECONFLICT || n != 3 {
		t.Fatalf("err = %v after %d pushes, want a conflict after 3", err, n)
	}
	// The clone is left equal to the remote.
	head, _ := tg.HeadCommit()
	if head != remoteHead(t, remoteDir).String() {
		t.Errorf("clone head %s, remote %s", head, remoteHead(t, remoteDir))
	}
}

func TestProbe(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	aFile := filepath.Join(tmp, "file")
	os.WriteFile(aFile, []byte("x"), 0o644)
	notRepo := filepath.Join(tmp, "notrepo")
	os.MkdirAll(notRepo, 0o755)
	os.WriteFile(filepath.Join(notRepo, "x"), []byte("x"), 0o644)
	repo := filepath.Join(tmp, "repo")
	if _, err := git.PlainInit(repo, false); err != nil {
		t.Fatal(err)
	}
	_, hasGit := exec.LookPath("git")

	for _, tc := range []struct {
		name    string
		cfg     Config
		needGit bool
		want    string // "" for no error
	}{
		{name: "local repository", cfg: Config{Path: repo}},
		{name: "missing path", cfg: Config{Path: filepath.Join(tmp, "new", "gitops")}},
		{name: "path is a file", cfg: Config{Path: aFile}, want: "is not a directory"},
		{name: "below a file", cfg: Config{Path: filepath.Join(aFile, "gitops")}, want: "is not a directory"},
		{name: "not a repository", cfg: Config{Path: notRepo}, want: "is not a Git repository and not empty"},
		{name: "missing remote", cfg: Config{URL: "file://" + filepath.Join(tmp, "nothing.git"), CloneDir: filepath.Join(tmp, "c1")}, needGit: true, want: "repository not found"},
		{name: "unreachable", cfg: Config{URL: "https://127.0.0.1:1/org/repo.git", Token: "ghp_supersecrettoken", CloneDir: filepath.Join(tmp, "c2")}, want: "https://127.0.0.1:1/org/repo.git: listing the remote references failed: unreachable"},
		{name: "credentials in URL", cfg: Config{URL: "https://bot:hunter2hunter2@127.0.0.1:1/org/repo.git", CloneDir: filepath.Join(tmp, "c3")}, want: "gitops target https://127.0.0.1:1/org/repo.git: listing the remote references failed: unreachable"},
		{name: "unknown host", cfg: Config{URL: "https://nonexistent.invalid/org/repo.git", CloneDir: filepath.Join(tmp, "c4")}, want: "unreachable"},
		{name: "bad ssh key", cfg: Config{URL: "ssh://git@127.0.0.1:1/org/repo.git", SSHKey: []byte("not a key"), CloneDir: filepath.Join(tmp, "c5")}, want: "parsing ssh private key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.needGit && hasGit != nil {
				t.Skip("git is not installed: go-git runs git-upload-pack for file:// remotes")
			}
			tg, err := New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err = tg.Probe(ctx)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Probe: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Probe = %v, want an error containing %q", err, tc.want)
			case err != nil && (strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "supersecret")):
				t.Errorf("credentials in %q", err)
			}
			if err != nil {
				t.Log(err)
			}
		})
	}
}

func TestProbeRemoteBranchMissing(t *testing.T) {
	t.Parallel()
	remoteDir, url := bareRemote(t)
	tg := newRemote(t, url)
	apply(t, tg, paved.DeployContext{App: "shop", Env: "dev"}, "d-1", appObjects("shop-dev", 1, "shop:1"))
	_ = remoteDir

	other, err := New(Config{URL: url, Branch: "production", CloneDir: filepath.Join(t.TempDir(), "clone")})
	if err != nil {
		t.Fatal(err)
	}
	err = other.Probe(context.Background())
	if err == nil || !strings.Contains(err.Error(), `branch "production" is missing (the remote has main)`) {
		t.Errorf("Probe = %v", err)
	}
	_, err = other.Apply(context.Background(), &paved.ApplyRequest{Context: paved.DeployContext{App: "shop", Env: "dev"}})
	if err == nil || !strings.Contains(err.Error(), `branch "production" does not exist`) {
		t.Errorf("Apply = %v", err)
	}
}

func TestConfig(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"nothing", Config{}, "set a repository path or a remote URL"},
		{"both", Config{Path: "/x", URL: "https://h/r.git", CloneDir: "/c"}, "not both"},
		{"no clone dir", Config{URL: "https://tok:secret-token@h/r.git"}, "gitops target https://h/r.git: a clone directory is required"},
		{"bad mode", Config{Path: "/x", SecretsMode: "sops"}, `secrets mode "sops"`},
		{"sealed without cert", Config{Path: "/x", SecretsMode: SecretsSealed}, "SealingCert: no certificate given"},
		{"bad branch", Config{Path: "/x", Branch: "a..b"}, "invalid branch name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New = %v, want invalid containing %q", err, tc.want)
			}
		})
	}
	local, _ := New(Config{Path: "/x"})
	remote, _ := New(Config{URL: "https://h/r.git", CloneDir: "/c"})
	if local.cfg.SecretsMode != SecretsPlain || remote.cfg.SecretsMode != SecretsOmit || local.cfg.Branch != "main" {
		t.Errorf("defaults: local %q, remote %q, branch %q", local.cfg.SecretsMode, remote.cfg.SecretsMode, local.cfg.Branch)
	}
}
