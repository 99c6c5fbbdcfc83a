package scaffold

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"paved.dev/paved"
)

// repoFixture is a repository scaffolded from v1 (a README and a config
// file), with v2 changing both.
type repoFixture struct {
	dir        string
	repo       *Repo
	base, ours *paved.Rendering
}

func v(version, readme, conf string) *paved.Template {
	return &paved.Template{Name: "svc", Version: version, Files: []paved.TemplateFile{
		{Path: "README.md.tmpl", Content: readme}, {Path: "conf.txt", Content: conf},
	}}
}

func newRepoFixture(t *testing.T) *repoFixture {
	t.Helper()
	v1 := v("1.0.0", "# {{.Name}}\n\nline 2\nline 3\nline 4\n", "a\nb\nc\n")
	v2 := v("1.1.0", "# {{.Name}}\n\nline 2\nline 3\nline 4 changed\n", "a\nb\nc\nd\n")
	req := &paved.RenderRequest{Name: "orders", Team: "payments"}
	base, err := Render(v1, req)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := Render(v2, req)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "orders")
	if _, err := InitRepo(dir, base, Author("dana", time.Now())); err != nil {
		t.Fatal(err)
	}
	repo, err := OpenRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	return &repoFixture{dir: dir, repo: repo, base: base, ours: ours}
}

func (f *repoFixture) plan(t *testing.T) *Upgrade {
	t.Helper()
	u, err := PlanUpgrade(context.Background(), f.repo.Record, f.base, f.ours, f.repo.Read)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func change(u *Upgrade, p string) Change {
	for _, c := range u.Changes {
		if c.Path == p {
			return c
		}
	}
	return Change{}
}

// TestUpgradeStaged: the upgrade's commit holds the upgrade's files, never
// what the user staged besides.
func TestUpgradeStaged(t *testing.T) {
	f := newRepoFixture(t)
	if err := os.WriteFile(filepath.Join(f.dir, "notes.txt"), []byte("mine, not ready\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := git.PlainOpen(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	wt, _ := g.Worktree()
	if _, err := wt.Add("notes.txt"); err != nil {
		t.Fatal(err)
	}
	before, _ := g.Head()
	_, err = f.repo.Apply(f.plan(t), Author("dana", time.Now()))
	if err == nil || !strings.Contains(err.Error(), "staged changes to notes.txt") || paved.ErrorCode(err) != paved.EINVALID {
		t.Fatalf("upgrade with notes.txt staged: %v", err)
	}
	if after, _ := g.Head(); after.Hash() != before.Hash() {
		t.Fatal("the refused upgrade committed")
	}
	if data, _ := os.ReadFile(filepath.Join(f.dir, "conf.txt")); string(data) != "a\nb\nc\n" {
		t.Fatalf("the refused upgrade wrote conf.txt: %q", data)
	}
	// Unstaged, the file stays the user's and out of the commit.
	if _, err := wt.Remove("notes.txt"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(f.dir, "notes.txt"), []byte("mine, not ready\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sha, err := f.repo.Apply(f.plan(t), Author("dana", time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	c, err := g.CommitObject(plumbing.NewHash(sha))
	if err != nil {
		t.Fatal(err)
	}
	tree, _ := c.Tree()
	if _, err := tree.File("notes.txt"); err == nil {
		t.Fatal("the upgrade's commit holds notes.txt")
	}
}

// TestUpgradeCRLF: a checkout with CRLF line ends is not a conflict
// everywhere, and keeps its line ends.
func TestUpgradeCRLF(t *testing.T) {
	f := newRepoFixture(t)
	crlf := func(p string) ([]byte, bool, error) {
		data, ok, err := f.repo.Read(p)
		return []byte(strings.ReplaceAll(string(data), "\n", "\r\n")), ok, err
	}
	u, err := PlanUpgrade(context.Background(), f.repo.Record, f.base, f.ours, crlf)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"README.md", "conf.txt"} {
		c := change(u, p)
		if c.Action != Update {
			t.Errorf("%s: %s (%s), want update", p, c.Action, c.Note)
		}
		if strings.Contains(strings.ReplaceAll(string(c.content), "\r\n", ""), "\n") {
			t.Errorf("%s written with LF line ends: %q", p, c.content)
		}
	}
	if got := string(change(u, "conf.txt").content); got != "a\r\nb\r\nc\r\nd\r\n" {
		t.Errorf("conf.txt = %q", got)
	}
}

// TestUpgradeKeeps: a binary file of the user's where the template writes
// one, and a path through a symbolic link, are kept and reported; nothing
// is written through the link.
func TestUpgradeKeeps(t *testing.T) {
	f := newRepoFixture(t)
	if err := os.WriteFile(filepath.Join(f.dir, "conf.txt"), []byte("\x89PNG\x00\x01binary"), 0o644); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "outside.md")
	if err := os.WriteFile(outside, []byte("not the repository's\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(f.dir, "README.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(f.dir, "README.md")); err != nil {
		t.Fatal(err)
	}
	u := f.plan(t)
	if c := change(u, "conf.txt"); c.Action != Keep || !strings.Contains(c.Note, "binary") {
		t.Errorf("conf.txt: %s (%s), want keep: binary", c.Action, c.Note)
	}
	if c := change(u, "README.md"); c.Action != Keep || !strings.Contains(c.Note, "README.md is a symbolic link") || strings.Contains(c.Note, os.TempDir()) {
		t.Errorf("README.md: %s (%s), want keep: a symbolic link", c.Action, c.Note)
	}
	// A template file under a linked folder is not written through it.
	if err := os.Symlink(t.TempDir(), filepath.Join(f.dir, "docs")); err != nil {
		t.Fatal(err)
	}
	if err := writeFile(f.dir, "docs/x.md", []byte("x"), false); err == nil || !strings.Contains(err.Error(), "goes through the symbolic link docs") {
		t.Errorf("writing through a linked folder: %v", err)
	}
	if data, _ := os.ReadFile(outside); string(data) != "not the repository's\n" {
		t.Errorf("the file outside was changed: %q", data)
	}
}

// TestMerge3Config: the user's and the repository's Git configuration do
// not change the markers (merge.conflictStyle zdiff3 would add a base
// section), and conflicts are counted from them.
func TestMerge3Config(t *testing.T) {
	home := t.TempDir()
	global := filepath.Join(home, "gitconfig")
	if err := os.WriteFile(global, []byte("[merge]\n\tconflictStyle = zdiff3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_CONFIG_GLOBAL", global)
	t.Setenv("HOME", home)
	repo := t.TempDir()
	if _, err := git.PlainInit(repo, false); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, ".git", "config"), []byte("[core]\n\trepositoryformatversion = 0\n[merge]\n\tconflictStyle = diff3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(repo)
	base := []byte("1\n2\n3\n4\n5\n6\n7\n8\n9\n")
	theirs := []byte("1 yours\n2\n3\n4\n5\n6\n7\n8\n9 yours\n")
	ours := []byte("1 ours\n2\n3\n4\n5\n6\n7\n8\n9 ours\n")
	merged, n, err := Merge3(context.Background(), theirs, base, ours, [3]string{"yours", "svc 1.0.0", "svc 1.1.0"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(merged), "|||||||") {
		t.Fatalf("a base section from the Git configuration:\n%s", merged)
	}
	if n != 2 || !strings.Contains(string(merged), "<<<<<<< yours\n1 yours\n=======\n1 ours\n>>>>>>> svc 1.1.0\n") {
		t.Fatalf("%d conflicts, want 2:\n%s", n, merged)
	}
}

// TestLoadHidden: hidden folders are a template's files, .git is not.
func TestLoadHidden(t *testing.T) {
	dir := t.TempDir()
	for p, content := range map[string]string{
		"template.yaml":                    "name: svc\nversion: 1.0.0\n",
		".gitlab/issue_templates/bug.md":   "bug\n",
		".devcontainer/devcontainer.json":  "{}\n",
		".github/workflows/ci.yaml":        "on: push\n",
		".git/HEAD":                        "ref: refs/heads/main\n",
		"README.md":                        "hi\n",
		".editorconfig":                    "root = true\n",
		"deep/.hidden/file.txt":            "x\n",
		".git/objects/info/placeholder.md": "x\n",
	} {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tpl, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range tpl.Files {
		got = append(got, f.Path)
	}
	want := []string{".devcontainer/devcontainer.json", ".editorconfig", ".github/workflows/ci.yaml", ".gitlab/issue_templates/bug.md", "README.md", "deep/.hidden/file.txt"}
	if !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
}

// TestNextParams: given parameters keep their values, defaulted ones take
// the new version's defaults, --param sets, --unset gives back to the
// default, and a given parameter the new version drops is listed.
func TestNextParams(t *testing.T) {
	next := &paved.Template{Name: "svc", Version: "2.0.0", Files: []paved.TemplateFile{{Path: "f", Content: "x"}},
		Parameters: []byte(`{"type":"object","additionalProperties":false,"required":["region"],"properties":{"port":{"type":"integer","default":8080},"go_version":{"type":"string","default":"1.27"},"region":{"type":"string"}}}`)}
	rec := &Record{Template: "svc", Version: "1.0.0", Params: map[string]any{"port": 9090, "go_version": "1.26", "queue": "mail"}, Given: []string{"port", "queue"}}
	tests := []struct {
		name        string
		set         map[string]string
		unset       []string
		want        map[string]any
		wantDropped []string
		wantErr     string
	}{
		{"a required parameter added", map[string]string{"region": "eu"}, nil, map[string]any{"port": 9090, "region": "eu"}, []string{"queue"}, ""},
		{"unset", map[string]string{"region": "eu"}, []string{"port"}, map[string]any{"region": "eu"}, []string{"queue"}, ""},
		{"set over a given one", map[string]string{"region": "eu", "port": "7070"}, nil, map[string]any{"port": int64(7070), "region": "eu"}, []string{"queue"}, ""},
		{"unset what was not given", nil, []string{"go_version"}, nil, nil, "--unset go_version: not a parameter this repository was given; it was given port, queue"},
		{"a parameter not declared", map[string]string{"colour": "red"}, nil, nil, nil, "has no such parameter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, dropped, err := NextParams(rec, next, tc.set, tc.unset)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(dropped, tc.wantDropped) || len(got) != len(tc.want) {
				t.Fatalf("%v dropped %v, want %v dropped %v", got, dropped, tc.want, tc.wantDropped)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Fatalf("%s = %#v, want %#v", k, got[k], v)
				}
			}
			r, err := Render(next, &paved.RenderRequest{Name: "a", Team: "b", Params: got})
			if err != nil {
				t.Fatal(err)
			}
			if r.Params["go_version"] != "1.27" {
				t.Fatalf("a defaulted parameter kept its old value: %v", r.Params["go_version"])
			}
		})
	}
	// Without --param region the new version cannot render: the error
	// names it.
	got, _, err := NextParams(rec, next, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Render(next, &paved.RenderRequest{Name: "a", Team: "b", Params: got}); err == nil || !strings.Contains(err.Error(), "region") {
		t.Fatalf("rendering without the required region: %v", err)
	}
}
