package server

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"

	"paved.dev/paved"
)

// copyTree copies a file or a directory, as an operator copies the key.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	must(t, filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	}))
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	must(t, err)
	return string(b)
}

func sameJSONValue(t *testing.T, a, b any) bool { return jsonOf(t, a) == jsonOf(t, b) }

func gitHead(t *testing.T, dataDir string) string {
	t.Helper()
	repo, err := git.PlainOpen(filepath.Join(dataDir, "gitops"))
	must(t, err)
	head, err := repo.Head()
	must(t, err)
	return head.Hash().String()
}

func deploymentIDs(ds []paved.Deployment) []string {
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	slices.Sort(ids)
	return ids
}

// gzipTar is an archive of the given files (nil: no entry at all).
func gzipTar(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	tw := tar.NewWriter(zw)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		must(t, tw.WriteHeader(&tar.Header{Name: n, Mode: 0o600, Size: int64(len(files[n])), Typeflag: tar.TypeReg}))
		_, err := tw.Write([]byte(files[n]))
		must(t, err)
	}
	must(t, tw.Close())
	must(t, zw.Close())
	return b.Bytes()
}

// TestDefuseGitConfig: a restored repository keeps its own settings but
// none that makes git run a program, and no hooks.
func TestDefuseGitConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "hooks"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hooks", "post-checkout"), []byte("#!/bin/sh\ntouch /tmp/owned\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := "[core]\n\trepositoryformatversion = 0\n\tfsmonitor = /tmp/evil\n\tHooksPath = /tmp/hooks\n\tbare = false\n" +
		"[alias]\n\tx = !sh -c evil\n[remote \"origin\"]\n\turl = https://git.example.com/gitops.git\n[filter \"lfs\"]\n\tclean = evil %f\n"
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := defuseGitConfig(dir); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "config"))
	for _, bad := range []string{"fsmonitor", "HooksPath", "alias", "evil"} {
		if strings.Contains(string(got), bad) {
			t.Errorf("the restored config still has %s:\n%s", bad, got)
		}
	}
	for _, keep := range []string{"repositoryformatversion = 0", "bare = false", `[remote "origin"]`, "url = https://git.example.com/gitops.git"} {
		if !strings.Contains(string(got), keep) {
			t.Errorf("the restored config lost %q:\n%s", keep, got)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "hooks")); !os.IsNotExist(err) {
		t.Errorf("hooks are restored: %v", err)
	}
}
