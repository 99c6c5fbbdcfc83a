package naming

import (
	"strings"
	"testing"

	"paved.dev/paved"
)

func TestSpace(t *testing.T) {
	l := Layout{Driver: "mysql", SpaceKey: "database", SpaceMax: 64, UserMax: 32}
	req := &paved.ResourceRequest{UID: "mysql.default#web.db", Context: paved.DeployContext{App: "shop", Env: "dev"},
		Definition: &paved.ResourceDefinition{ID: "mysql-shared"}}
	fresh := l.Load(req)
	if fresh.Space != Resource(req.Context, req.UID, "mysql-shared", 64) || fresh.Username != Resource(req.Context, req.UID, "mysql-shared", 32) || fresh.Password != "" {
		t.Fatalf("a new resource's space: %+v", fresh)
	}
	// Another definition of the same resource gets a space of its own.
	other := l.Load(&paved.ResourceRequest{UID: req.UID, Context: req.Context, Definition: &paved.ResourceDefinition{ID: "mysql-eu"}})
	if other.Space == fresh.Space || other.Username == fresh.Username {
		t.Errorf("two definitions of one resource share a space: %+v and %+v", fresh, other)
	}
	fresh.Password = "pw"
	req.State = fresh.State()
	if again := l.Load(req); again.Space != fresh.Space || again.Username != fresh.Username || again.Password != "pw" {
		t.Errorf("loading the state back: %+v", again)
	}
	tests := []struct {
		name  string
		state map[string]any
		want  string
	}{
		{"not paved's database", map[string]any{"database": "customers", "username": fresh.Username}, `mysql: the resource state names "customers"`},
		{"user too long", map[string]any{"database": fresh.Space, "username": Prefix + strings.Repeat("x", 40)}, "which paved does not create"},
	}
	for _, tt := range tests {
		req.State = tt.state
		err := l.Load(req).Verify()
		if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	req.State = fresh.State()
	if err := l.Load(req).Verify(); err != nil {
		t.Errorf("paved's own names refused: %v", err)
	}
}
