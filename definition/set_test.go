package definition

import (
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/driver/cmd"
	"paved.dev/paved/driver/echo"
	"paved.dev/paved/driver/template"
)

func drivers() Drivers { return Drivers{"echo": echo.New(), "template": template.New()} }

// withCmd adds the cmd driver, which score-k8s' default provisioners use too.
func withCmd() Drivers { d := drivers(); d["cmd"] = cmd.New(nil); return d }

func def(id string, c ...paved.Criteria) paved.ResourceDefinition {
	return paved.ResourceDefinition{ID: id, Type: "postgres", Driver: "echo", Criteria: c}
}

func TestMatchMostSpecificWins(t *testing.T) {
	builtin := []paved.ResourceDefinition{def("builtin")}
	defs := []paved.ResourceDefinition{
		def("any"),
		def("dev-type", paved.Criteria{EnvType: "development"}),
		def("staging-type", paved.Criteria{EnvType: "staging"}),
		def("shop-app", paved.Criteria{App: "shop"}),
		def("pr-env", paved.Criteria{Env: "pr-1"}, paved.Criteria{Env: "pr-2"}),
		def("exact", paved.Criteria{ResID: "shared-db", Env: "dev"}),
		def("big-class", paved.Criteria{Class: "large"}),
		def("a-tie", paved.Criteria{EnvType: "ephemeral"}),
		def("b-tie", paved.Criteria{EnvType: "ephemeral"}),
	}
	s, err := NewSet(drivers(), builtin, defs)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want Want
		id   string
	}{
		{"a platform definition beats the builtin at equal specificity", Want{Type: "postgres", Context: paved.DeployContext{App: "blog", Env: "x", EnvType: "production"}}, "any"},
		{"env type", Want{Type: "postgres", Context: paved.DeployContext{App: "blog", Env: "dev", EnvType: "development"}}, "dev-type"},
		{"app beats env type", Want{Type: "postgres", Context: paved.DeployContext{App: "shop", Env: "dev", EnvType: "development"}}, "shop-app"},
		{"env beats app, any of several criteria", Want{Type: "postgres", Context: paved.DeployContext{App: "shop", Env: "pr-2", EnvType: "ephemeral"}}, "pr-env"},
		{"res_id beats all", Want{Type: "postgres", ResID: "shared-db", Context: paved.DeployContext{App: "shop", Env: "dev", EnvType: "development"}}, "exact"},
		{"class", Want{Type: "postgres", Class: "large", Context: paved.DeployContext{App: "blog", Env: "dev", EnvType: "staging"}}, "big-class"},
		{"ties broken by id", Want{Type: "postgres", Context: paved.DeployContext{App: "blog", Env: "pr-9", EnvType: "ephemeral"}}, "a-tie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Match(tt.want)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != tt.id {
				t.Errorf("got %s, want %s", got.ID, tt.id)
			}
		})
	}
}

func TestMatchNoneListsWhatWasTried(t *testing.T) {
	s, err := NewSet(drivers(), nil, []paved.ResourceDefinition{def("dev-only", paved.Criteria{EnvType: "development"})})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Match(Want{Type: "postgres", Context: paved.DeployContext{App: "shop", Env: "stg", EnvType: "staging"}})
	if err == nil || !strings.Contains(err.Error(), "tried dev-only (env_type development≠staging)") {
		t.Fatalf("got %v", err)
	}
	_, err = s.Match(Want{Type: "kafka", Context: paved.DeployContext{App: "shop", Env: "stg", EnvType: "staging"}})
	if err == nil || !strings.Contains(err.Error(), `there is no definition of type "kafka"`) {
		t.Fatalf("got %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	head := "apiVersion: paved.dev/v1\nkind: ResourceDefinition\n"
	tests := []struct{ name, doc, want string }{
		{"unknown field", head + "id: x\ntype: postgres\ndriver: echo\ndrivr: x\n", "field drivr not found"},
		{"no id", head + "type: postgres\ndriver: echo\n", "id: missing"},
		{"wrong kind", "apiVersion: paved.dev/v1\nkind: Definition\nid: x\ntype: postgres\ndriver: echo\n", `apiVersion/kind is "paved.dev/v1"/"Definition"`},
		{"bad env type", head + "id: x\ntype: postgres\ndriver: echo\ncriteria: [{env_type: prod}]\n", `criteria[0].env_type: "prod" is not one of`},
		{"malformed", head + "id: [", "document 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("defs.yaml", []byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "defs.yaml: ") {
				t.Fatalf("got %v, want it to name the file and contain %q", err, tt.want)
			}
		})
	}
}

func TestCheckDrivers(t *testing.T) {
	tests := []struct {
		name string
		d    paved.ResourceDefinition
		want string
	}{
		{"unknown driver", paved.ResourceDefinition{ID: "x", Type: "postgres", Driver: "terraform"}, `driver: unknown driver "terraform"; known drivers are echo, template`},
		{"template that does not parse", paved.ResourceDefinition{ID: "x", Type: "postgres", Driver: "template", Inputs: map[string]any{"outputs": "{{ .Nope"}}, "driver_inputs: outputs:"},
		{"unknown template input", paved.ResourceDefinition{ID: "x", Type: "postgres", Driver: "template", Inputs: map[string]any{"output": "a: b"}}, "output: unknown input"},
		{"echo input not a map", paved.ResourceDefinition{ID: "x", Type: "postgres", Driver: "echo", Inputs: map[string]any{"values": "x"}}, "values: must be a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(drivers(), &tt.d)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDefaultsCoverScoreK8sTypes(t *testing.T) {
	defs, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSet(drivers(), defs, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"postgres", "postgres-instance", "mysql", "redis", "mongodb", "amqp", "mssql", "s3", "kafka-topic", "dns", "route", "volume", "service-port", "environment"} {
		if _, err := s.Match(Want{Type: typ, Context: paved.DeployContext{App: "a", Env: "dev", EnvType: "development"}}); err != nil {
			t.Errorf("%s: %v", typ, err)
		}
	}
}
