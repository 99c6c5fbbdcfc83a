package seal

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpen(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	s, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed := s.Seal([]byte("hunter2"), []byte("row-1"))
	if bytes.Contains(sealed, []byte("hunter2")) {
		t.Fatal("the plaintext is visible in the sealed value")
	}
	got, err := s.Open(sealed, []byte("row-1"))
	if err != nil || string(got) != "hunter2" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := s.Open(sealed, []byte("row-2")); err == nil {
		t.Error("a value sealed for one row opened for another")
	}
	other, _ := New(bytes.Repeat([]byte{8}, KeySize))
	if _, err := other.Open(sealed, []byte("row-1")); err == nil || !strings.Contains(err.Error(), "wrong key") {
		t.Errorf("opening with another key: %v", err)
	}
	str := s.SealString("pw", "ad")
	if !IsSealed(str) || strings.Contains(str, "pw") {
		t.Errorf("SealString = %q", str)
	}
	if v, err := s.OpenString(str, "ad"); err != nil || v != "pw" {
		t.Errorf("OpenString = %q, %v", v, err)
	}
}

func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret.key")
	k1, err := LoadKey("", file)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(file)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	k2, err := LoadKey("", file)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Fatalf("second load: %v", err)
	}
	env := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, KeySize))
	if k, err := LoadKey(env, file); err != nil || k[0] != 1 {
		t.Errorf("env key not used: %v", err)
	}
	if _, err := LoadKey("short", file); err == nil || !strings.Contains(err.Error(), "PAVED_SECRET_KEY must be") {
		t.Errorf("bad env key: %v", err)
	}
	_ = os.Chmod(file, 0o644)
	if _, err := LoadKey("", file); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("readable key file accepted: %v", err)
	}
}
