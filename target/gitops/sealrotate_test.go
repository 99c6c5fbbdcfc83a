package gitops

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRotateSealingKey: a new pair replaces the old one, which is kept in
// retired/; a rotation interrupted after the key moved is finished by the
// next; a directory without a certificate has nothing to rotate.
func TestRotateSealingKey(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	first, err := loadOrCreateSealingKey(dir, 2048, now)
	if err != nil {
		t.Fatal(err)
	}
	oldKey, _ := os.ReadFile(filepath.Join(dir, SealingKeyFile))
	second, err := rotateSealingKey(dir, 2048, now)
	if err != nil {
		t.Fatal(err)
	}
	if string(second) == string(first) {
		t.Fatal("the rotation kept the certificate")
	}
	if again, err := loadOrCreateSealingKey(dir, 2048, now); err != nil || string(again) != string(second) {
		t.Errorf("the new pair is not what a start loads: %v", err)
	}
	retired, _ := filepath.Glob(filepath.Join(dir, RetiredDir, "*"))
	if len(retired) != 2 {
		t.Fatalf("retired: %v, want the old key and certificate", retired)
	}
	for _, p := range retired {
		b, _ := os.ReadFile(p)
		switch {
		case strings.HasSuffix(p, SealingKeyFile) && string(b) != string(oldKey),
			strings.HasSuffix(p, SealingCertFile) && string(b) != string(first):
			t.Errorf("%s is not the old pair's", p)
		}
	}
	if st, err := os.Stat(filepath.Join(dir, RetiredDir)); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("retired/ must be private: %v %v", st.Mode(), err)
	}

	// Interrupted after the key moved: the old certificate still counts,
	// and the next rotation finishes.
	later := now.Add(time.Second)
	if err := os.Rename(filepath.Join(dir, SealingKeyFile), filepath.Join(dir, RetiredDir, "x-"+SealingKeyFile)); err != nil {
		t.Fatal(err)
	}
	if cur, err := loadOrCreateSealingKey(dir, 2048, later); err != nil || string(cur) != string(second) {
		t.Fatalf("after an interrupted rotation: %v", err)
	}
	third, err := rotateSealingKey(dir, 2048, later)
	if err != nil || string(third) == string(second) {
		t.Fatalf("finishing an interrupted rotation: %v", err)
	}
	if _, err := rotateSealingKey(t.TempDir(), 2048, now); err == nil || !strings.Contains(err.Error(), "no sealing certificate") {
		t.Errorf("nothing to rotate: %v", err)
	}
}
