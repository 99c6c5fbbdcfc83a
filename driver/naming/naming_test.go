package naming

import (
	"strings"
	"testing"

	"paved.dev/paved"
)

// The names are what the drivers created before: changing one would orphan
// every database, user and vhost already provisioned under it. Each driver's
// limit is here: PostgreSQL identifiers 63, MySQL databases 64 and users 32,
// Redis users and RabbitMQ vhosts and users 63.
func TestResource(t *testing.T) {
	t.Parallel()
	shop := paved.DeployContext{App: "Shop", Env: "pr-123"}
	pgDB := paved.NewResourceUID("web", "db", "postgres", "", "")
	myDB := paved.NewResourceUID("web", "db", "mysql", "", "")
	tests := []struct {
		name string
		dc   paved.DeployContext
		uid  paved.ResourceUID
		max  int
		want string
	}{
		{"postgres identifier (63)", shop, pgDB, 63, "paved_shop_pr_123_web_db_cd574510"},
		{"postgres, cut to 63", paved.DeployContext{App: strings.Repeat("a", 80), Env: "dev"}, pgDB, 63,
			"paved_" + strings.Repeat("a", 48) + "_e8e00832"},
		{"mysql database (64)", shop, myDB, 64, "paved_shop_pr_123_web_db_aa59b0eb"},
		{"mysql database, cut to 64", paved.DeployContext{App: strings.Repeat("b", 80), Env: "dev"}, myDB, 64,
			"paved_" + strings.Repeat("b", 49) + "_ce543a5a"},
		{"mysql user (32)", shop, myDB, 32, "paved_shop_pr_123_web_d_aa59b0eb"},
		{"mysql user, odd characters", paved.DeployContext{App: "Ü-ber..App", Env: "dev"}, myDB, 32, "paved_ber_app_dev_web_d_431b3980"},
		{"mysql user, cut at an underscore", paved.DeployContext{App: "checkout-service", Env: "production"}, myDB, 32, "paved_checkout_service_d3ee03ff"},
		{"redis user (63)", shop, paved.NewResourceUID("web", "cache", "redis", "", ""), 63, "paved_shop_pr_123_web_cache_d6d846f1"},
		{"amqp vhost and user (63)", shop, paved.NewResourceUID("web", "queue", "amqp", "", ""), 63, "paved_shop_pr_123_web_queue_7d89f090"},
		{"nothing readable but the id", paved.DeployContext{App: "---", Env: "__"}, paved.NewResourceUID("web", "queue", "amqp", "", "shared"), 63, "paved_shared_5c926e1c"},
		{"a-b", paved.DeployContext{App: "a-b", Env: "dev"}, pgDB, 63, "paved_a_b_dev_web_db_3763bcfd"},
		{"a_b, apart from a-b by the hash", paved.DeployContext{App: "a_b", Env: "dev"}, pgDB, 63, "paved_a_b_dev_web_db_ec3fa58b"},
	}
	for _, tt := range tests {
		got := Resource(tt.dc, tt.uid, "pg", tt.max)
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
		if !Owned(got, tt.max) {
			t.Errorf("%s: %q (%d) is not owned within %d characters", tt.name, got, len(got), tt.max)
		}
		for _, r := range got {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
				t.Errorf("%s: %q has %q", tt.name, got, r)
			}
		}
		if again := Resource(tt.dc, tt.uid, "pg", tt.max); again != got {
			t.Errorf("%s: not deterministic: %q then %q", tt.name, got, again)
		}
	}
}

func TestOwned(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		max  int
		want bool
	}{
		{"paved_shop_dev_web_db_34d76f9e", 63, true},
		{"postgres", 63, false},
		{"root", 32, false},
		{"/", 63, false},
		{"", 63, false},
		{"paved_" + strings.Repeat("x", 27), 32, false}, // 33: longer than a MySQL user paved makes
		{"paved_" + strings.Repeat("x", 26), 32, true},
	}
	for _, tt := range tests {
		if got := Owned(tt.name, tt.max); got != tt.want {
			t.Errorf("Owned(%q, %d) = %v, want %v", tt.name, tt.max, got, tt.want)
		}
	}
}
