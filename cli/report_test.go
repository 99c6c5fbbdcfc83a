package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"paved.dev/paved/server"
)

// TestReportCommand: paved report writes each audience's report as HTML,
// refuses a file that is neither .html nor .pdf, and prints a PDF with
// Chromium (skipped locally without it; CI installs it and fails here
// when it is missing).
func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PAVED_CONFIG", filepath.Join(dir, "client.json"))
	s, err := server.Start(context.Background(), server.Config{Addr: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), MVPMode: true, AdminToken: "pvd_report_admin"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	admin := []string{"--server", s.URL, "--token", "pvd_report_admin"}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report", "--audience", "leadership", "-o", filepath.Join(dir, "l.html"), "--hourly-rate", "90"}, 0, "wrote the leadership report (html"},
		{[]string{"report", "--audience", "engineering", "-o", filepath.Join(dir, "e.HTML")}, 0, "wrote the engineering report (html"},
		{[]string{"report", "--audience", "board", "-o", filepath.Join(dir, "b.html")}, 2, `audience: "board" is not one of leadership, engineering`},
		{[]string{"report", "--audience", "leadership", "-o", filepath.Join(dir, "l.docx")}, 2, "ends neither in .html nor in .pdf"},
		{[]string{"report", "--audience", "leadership", "-o", filepath.Join(dir, "l.html"), "--preview-time-saved", "-1h"}, 2, "--preview-time-saved: -1h0m0s is outside"},
		{[]string{"report", "-o", filepath.Join(dir, "l.html")}, 2, `required flag(s) "audience" not set`},
	} {
		code, out, errs := run(t, append(tc.args, admin...)...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("paved %s: exit %d\n%s%s\nwant exit %d and %q", strings.Join(tc.args, " "), code, out, errs, tc.code, tc.want)
		}
	}
	html, err := os.ReadFile(filepath.Join(dir, "l.html"))
	if err != nil || !bytes.HasPrefix(html, []byte("<!DOCTYPE html>")) || !bytes.Contains(html, []byte("<svg ")) || !bytes.Contains(html, []byte("at 90.00 an hour")) {
		t.Fatalf("the leadership report: %v %.200s", err, html)
	}

	if !hasChromium() {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed: .ci/run installs it (apt-get install chromium)")
		}
		if code, _, errs := run(t, append([]string{"report", "--audience", "engineering", "-o", filepath.Join(dir, "e.pdf")}, admin...)...); code == 0 || !strings.Contains(errs, "install it (apt-get install chromium") {
			t.Errorf("a PDF without Chromium: exit %d, %q", code, errs)
		}
		t.Skip("chromium is not installed (apt-get install chromium): the PDF is not printed here")
	}
	pdf := filepath.Join(dir, "e.pdf")
	if code, out, errs := run(t, append([]string{"report", "--audience", "engineering", "-o", pdf}, admin...)...); code != 0 || !strings.Contains(out, "(pdf,") {
		t.Fatalf("paved report -o e.pdf: exit %d\n%s%s", code, out, errs)
	}
	b, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("not a PDF: %.20q", b)
	}
	if pages := regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(b, -1); len(pages) < 2 {
		t.Errorf("the PDF has %d pages; the engineering report takes several", len(pages))
	}
}

func hasChromium() bool {
	for _, name := range chromiumNames {
		if _, err := exec.LookPath(name); err == nil {
			return true
		}
	}
	return os.Getenv("PAVED_CHROMIUM") != ""
}
