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
	k1, err := LoadKeys("", "", file)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(file)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", st.Mode().Perm())
	}
	k2, err := LoadKeys("", "", file)
	if err != nil || !bytes.Equal(k1.Seal, k2.Seal) || k2.Derive != nil || k2.Old != nil {
		t.Fatalf("second load: %+v, %v", k2, err)
	}
	env := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, KeySize))
	if k, err := LoadKeys(env, "", file); err != nil || k.Seal[0] != 1 {
		t.Errorf("env key not used: %v", err)
	}
	for _, bad := range []string{"short", env + ",short", env + "," + env + "," + env} {
		if _, err := LoadKeys(bad, "", file); err == nil || !strings.Contains(err.Error(), "PAVED_SECRET_KEY") {
			t.Errorf("bad env key %q: %v", bad, err)
		}
	}
	if _, err := LoadKeys(env, "short", file); err == nil || !strings.Contains(err.Error(), "PAVED_OLD_SECRET_KEY") {
		t.Errorf("bad old env key: %v", err)
	}
	_ = os.Chmod(file, 0o644)
	if _, err := LoadKeys("", "", file); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("readable key file accepted: %v", err)
	}
}

// TestRotate: a rotation keeps the old key until Finish, opens what either
// key sealed, seals with the new one, derives what the old one derived, and
// resumes after a crash between its two writes.
func TestRotate(t *testing.T) {
	file := filepath.Join(t.TempDir(), "secret.key")
	k0, err := LoadKeys("", "", file)
	if err != nil {
		t.Fatal(err)
	}
	s0, _ := NewKeys(k0)
	before := s0.Seal([]byte("v"), []byte("ad"))
	old, cur, err := Rotate(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(old.Seal, k0.Seal) || bytes.Equal(cur.Seal, k0.Seal) || !bytes.Equal(cur.Derive, k0.Seal) {
		t.Fatalf("Rotate: old %v cur %v", old, cur)
	}
	during, err := LoadKeys("", "", file)
	if err != nil || !bytes.Equal(during.Seal, cur.Seal) || len(during.Old) != 1 || !bytes.Equal(during.Old[0], k0.Seal) {
		t.Fatalf("loaded during the rotation: %+v, %v", during, err)
	}
	ring, _ := NewKeys(during)
	if pt, err := ring.Open(before, []byte("ad")); err != nil || string(pt) != "v" {
		t.Errorf("the old key's value does not open during the rotation: %v", err)
	}
	onlyNew, _ := New(cur.Seal)
	if _, err := onlyNew.Open(ring.Seal([]byte("w"), []byte("ad")), []byte("ad")); err != nil {
		t.Errorf("a value sealed during the rotation is not sealed with the new key: %v", err)
	}
	if !bytes.Equal(ring.Derive("x"), s0.Derive("x")) {
		t.Error("the rotation changed what is derived")
	}
	// Resumed: the same keys again.
	if o2, c2, err := Rotate(file); err != nil || !bytes.Equal(o2.Seal, old.Seal) || !bytes.Equal(c2.Seal, cur.Seal) {
		t.Errorf("resume: %v", err)
	}
	must := func(err error) {
		if err != nil {
			t.Helper()
			t.Fatal(err)
		}
	}
	must(Finish(file))
	after, err := LoadKeys("", "", file)
	if err != nil || after.Old != nil || !bytes.Equal(after.Derive, k0.Seal) {
		t.Fatalf("after Finish: %+v, %v", after, err)
	}
	// A second rotation keeps the first key's derivation key.
	_, c3, err := Rotate(file)
	must(err)
	if !bytes.Equal(c3.Derive, k0.Seal) {
		t.Error("a second rotation changed the derivation key")
	}
	must(Finish(file))
	// A crash after KEYFILE.old was written, before KEYFILE was replaced.
	cur4, _ := LoadKeys("", "", file)
	must(createKeyFile(file+oldSuffix, Keys{Seal: cur4.Seal, Derive: cur4.Derive}))
	o5, c5, err := Rotate(file)
	must(err)
	if !bytes.Equal(o5.Seal, cur4.Seal) || bytes.Equal(c5.Seal, cur4.Seal) {
		t.Error("a rotation interrupted before its new key did not make one")
	}
}
