package drivertest

import (
	"reflect"
	"strings"
	"testing"

	"paved.dev/paved"
)

func TestWith(t *testing.T) {
	t.Parallel()
	base := map[string]any{"host": "127.0.0.1", "port": 5432}
	got := With(base, map[string]any{"host": nil, "port": "x", "hots": "a"})
	if want := map[string]any{"port": "x", "hots": "a"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if base["host"] != "127.0.0.1" || base["port"] != 5432 || len(base) != 2 {
		t.Errorf("base changed: %v", base)
	}
}

func TestUniqueRequest(t *testing.T) {
	t.Parallel()
	def := &paved.ResourceDefinition{ID: "pg", Type: "postgres", Driver: "postgres"}
	a, b := UniqueRequest(t, "db", def), UniqueRequest(t, "db", def)
	if a.UID != "postgres.default#web.db" || a.Definition != def || a.Context.Env != "dev" {
		t.Errorf("request = %+v", a)
	}
	if a.Context.App == b.Context.App || !strings.HasPrefix(a.Context.App, "t") || len(a.Context.App) != 9 {
		t.Errorf("apps %q and %q: want two different t<8 characters>", a.Context.App, b.Context.App)
	}
}
