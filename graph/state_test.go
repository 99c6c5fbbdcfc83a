package graph

import (
	"testing"

	"paved.dev/paved"
)

func TestDeriveSecret(t *testing.T) {
	seed := []byte("seed-one")
	uid := paved.ResourceUID("postgres.default#web.db")
	a := DeriveSecret(seed, uid, "password", 24)
	if len(a) != 24 {
		t.Fatalf("length %d", len(a))
	}
	for _, c := range a {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			t.Fatalf("%q has a character outside [a-zA-Z0-9]", a)
		}
	}
	if DeriveSecret(seed, uid, "password", 24) != a {
		t.Error("not stable for the same seed, resource and name")
	}
	for _, other := range []string{
		DeriveSecret([]byte("seed-two"), uid, "password", 24),
		DeriveSecret(seed, "postgres.default#api.db", "password", 24),
		DeriveSecret(seed, uid, "root-password", 24),
	} {
		if other == a {
			t.Error("a different seed, resource or name gave the same secret")
		}
	}
	if long := DeriveSecret(seed, uid, "password", 200); len(long) != 200 || long[:24] != a {
		t.Errorf("a longer secret does not extend the shorter one: %q", long[:24])
	}
}
