package scorek8s

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestParseMergeKeys: YAML merge keys share fields between provisioners;
// a provisioner's own fields win over the merged ones.
func TestParseMergeKeys(t *testing.T) {
	t.Parallel()
	data := "- &base\n  uri: template://acme/a\n  type: thing\n  outputs: 'x: a'\n" +
		"- <<: *base\n  uri: template://acme/b\n" +
		"- <<: [*base]\n  uri: template://acme/c\n  outputs: 'x: c'\n"
	ps, err := Parse("m.provisioners.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, p := range ps {
		got = append(got, p.URI+" "+p.Type+" "+p.Outputs)
	}
	want := []string{"template://acme/a thing x: a", "template://acme/b thing x: a", "template://acme/c thing x: c"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := Parse("m.provisioners.yaml", []byte("- <<: 3\n  uri: template://x\n  type: t\n")); err == nil || !strings.Contains(err.Error(), "merge key (<<) must name a mapping") {
		t.Errorf("a merge of a scalar: err = %v", err)
	}
}

// TestPatchTemplatesDirectoryReadsTemplatesOnly: a README beside the
// templates is left alone.
func TestPatchTemplatesDirectoryReadsTemplatesOnly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string]string{"10-a.tpl": "[]\n", "README.md": "# {{ broken\n", "20-b.tpl": "[]\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := ReadPatchTemplates(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || filepath.Base(ps[0].Source) != "10-a.tpl" || filepath.Base(ps[1].Source) != "20-b.tpl" {
		t.Errorf("read %d templates: %v", len(ps), ps)
	}
}
