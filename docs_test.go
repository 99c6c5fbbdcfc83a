package paved

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	mdLink    = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)\)`)
	mdHeading = regexp.MustCompile(`(?m)^#{1,6} (.+)$`)
	mdFence   = regexp.MustCompile("(?s)```.*?```")
)

// anchor is GitHub's anchor for a heading: lower case, punctuation but
// hyphens and underscores dropped, spaces made hyphens.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func anchors(md string) map[string]bool {
	out := map[string]bool{}
	for _, m := range mdHeading.FindAllStringSubmatch(mdFence.ReplaceAllString(md, ""), -1) {
		h := strings.ReplaceAll(m[1], "`", "")
		out[anchor(h)] = true
	}
	return out
}

// TestDocsLinksResolve checks every relative link of README.md and docs/:
// the file it names exists, and so does the heading its #anchor names.
func TestDocsLinksResolve(t *testing.T) {
	files, err := filepath.Glob("docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "README.md")
	checked := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := mdFence.ReplaceAllString(string(data), "")
		for _, m := range mdLink.FindAllStringSubmatch(text, -1) {
			link := m[1]
			if strings.Contains(link, "://") || strings.HasPrefix(link, "mailto:") {
				continue
			}
			path, frag, _ := strings.Cut(link, "#")
			target := f
			if path != "" {
				target = filepath.Join(filepath.Dir(f), path)
				if _, err := os.Stat(target); err != nil {
					t.Errorf("%s: link %s: %s does not exist", f, link, target)
					continue
				}
			}
			checked++
			if frag == "" || !strings.HasSuffix(target, ".md") {
				continue
			}
			td, err := os.ReadFile(target)
			if err != nil {
				t.Errorf("%s: link %s: %v", f, link, err)
				continue
			}
			if !anchors(string(td))[frag] {
				t.Errorf("%s: link %s: %s has no heading #%s", f, link, target, frag)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("only %d relative links checked; the link pattern is broken", checked)
	}
}

func TestAnchor(t *testing.T) {
	for h, want := range map[string]string{"Build time": "build-time", "Exit codes": "exit-codes", "Secrets in Git (Sealed Secrets)": "secrets-in-git-sealed-secrets", "`paved deploy` in CI": "paved-deploy-in-ci"} {
		if got := anchor(strings.ReplaceAll(h, "`", "")); got != want {
			t.Errorf("anchor(%q) = %q, want %q", h, got, want)
		}
	}
}
