package paved

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestFuzzScriptClassifier runs test/fuzz.sh's self-test: its deadlineRace
// takes as ok* only the exact shape of Go's coordinator race at the end of
// -fuzztime (go.dev/issue/75804), and every crash, failing seed, panic or
// worker that died, from canned logs, as FAIL.
func TestFuzzScriptClassifier(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("bash is not installed: test/fuzz.sh cannot be checked (%v)", err)
		}
		t.Skipf("bash is not installed: test/fuzz.sh --selftest not run (%v)", err)
	}
	out, err := exec.Command(bash, "test/fuzz.sh", "--selftest").CombinedOutput()
	if err != nil {
		t.Fatalf("bash test/fuzz.sh --selftest: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "cases as wanted") {
		t.Fatalf("bash test/fuzz.sh --selftest said nothing of its cases:\n%s", out)
	}
}
