package api

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPICoversRoutes checks that every route registered on the mux is
// in the document, and every operation of the document is a route.
func TestOpenAPICoversRoutes(t *testing.T) {
	s := NewServer(Config{})
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string            `json:"operationId"`
			Security    *[]map[string]any `json:"security"`
			Parameters  []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(s.openapi, &doc); err != nil {
		t.Fatal(err)
	}

	documented := map[string]bool{}
	for path, item := range doc.Paths {
		for method, op := range item {
			key := strings.ToUpper(method) + " " + path
			documented[key] = true
			// The mux must send a request for this operation to the same pattern.
			req := httptest.NewRequest(strings.ToUpper(method), regexp.MustCompile(`\{[a-z]+\}`).ReplaceAllString(path, "x"), nil)
			if _, pattern := s.mux.Handler(req); pattern != key {
				t.Errorf("%s (%s): the mux routes it to %q", key, op.OperationID, pattern)
			}
			public := op.Security != nil && len(*op.Security) == 0
			i := slices.IndexFunc(s.routes, func(r route) bool { return r.method+" "+r.path == key })
			if i >= 0 && s.routes[i].public != public {
				t.Errorf("%s: public %v in the document, %v on the server", key, public, s.routes[i].public)
			}
			for _, m := range regexp.MustCompile(`\{([a-z]+)\}`).FindAllStringSubmatch(path, -1) {
				if !slices.ContainsFunc(op.Parameters, func(p struct {
					Name string `json:"name"`
					In   string `json:"in"`
				}) bool {
					return p.Name == m[1] && p.In == "path"
				}) {
					t.Errorf("%s: path parameter %s undocumented", key, m[1])
				}
			}
		}
	}
	registered := map[string]bool{}
	for _, r := range s.routes {
		key := r.method + " " + r.path
		registered[key] = true
		if !documented[key] {
			t.Errorf("route %s is not in the OpenAPI document", key)
		}
	}
	for key := range documented {
		if !registered[key] {
			t.Errorf("the OpenAPI document describes %s, which the server does not serve", key)
		}
	}
	md, err := os.ReadFile("../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	inDoc := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| (GET|POST|PUT|PATCH|DELETE) \\| `([^`?]+)").FindAllStringSubmatch(string(md), -1) {
		inDoc[m[1]+" "+m[2]] = true
	}
	for key := range registered {
		if !inDoc[key] {
			t.Errorf("route %s is not in the routes table of docs/api.md", key)
		}
	}
	for key := range inDoc {
		if !registered[key] {
			t.Errorf("docs/api.md lists %s, which the server does not serve", key)
		}
	}
}

// TestOpenAPIRefs checks that every $ref points at a definition.
func TestOpenAPIRefs(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(NewServer(Config{}).openapi, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	n := 0
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if k == "$ref" {
					n++
					target := any(doc)
					for _, part := range strings.Split(strings.TrimPrefix(x.(string), "#/"), "/") {
						m, _ := target.(map[string]any)
						target = m[part]
					}
					if target == nil {
						t.Errorf("dangling $ref %s", x)
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	if n == 0 {
		t.Error("no $ref at all")
	}
	if doc["openapi"] != "3.0.3" {
		t.Errorf("openapi %v", doc["openapi"])
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	for _, name := range []string{"Deployment", "DeployRequest", "Error", "Event", "ResourceDefinition", "Team", "IssuedToken", "Plan", "ProbeResult"} {
		if schemas[name] == nil {
			t.Errorf("no schema %s", name)
		}
		if _, ok := schemaDescriptions[name]; !ok {
			t.Errorf("schema %s has no description", name)
		}
	}
	for name := range schemas {
		if _, ok := schemaDescriptions[name]; !ok {
			t.Errorf("schema %s has no description", name)
		}
	}
	// Embedded structs are inlined as encoding/json does.
	for name, field := range map[string]string{"ServerStatus": "version", "ProbeResult": "status", "Deployment": "inventory", "IssuedToken": "expires_at"} {
		props, _ := schemas[name].(map[string]any)["properties"].(map[string]any)
		if props[field] == nil {
			t.Errorf("schema %s lacks %s: %v", name, field, schemas[name])
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	h := newHarness(t, nil)
	status, header, body := h.raw(t, "GET", "/api/openapi.json", "", "")
	if status != 200 || header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, %s", status, header.Get("Content-Type"))
	}
	var doc struct {
		Info struct{ Version string } `json:"info"`
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil || doc.Info.Version != "1.2.3" {
		t.Errorf("info.version %q, %v", doc.Info.Version, err)
	}
}

// TestOpenAPIOperations checks what the document says of parameters,
// bodies and responses against what the handlers do.
func TestOpenAPIOperations(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Parameters  []struct {
				Name        string `json:"name"`
				In          string `json:"in"`
				Description string `json:"description"`
			} `json:"parameters"`
			RequestBody *struct {
				Required bool `json:"required"`
			} `json:"requestBody"`
			Responses map[string]any `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(NewServer(Config{}).openapi, &doc); err != nil {
		t.Fatal(err)
	}
	ops := map[string]string{} // operation id → "method path"
	for path, item := range doc.Paths {
		for method, op := range item {
			ops[op.OperationID] = method + " " + path
			for _, p := range op.Parameters {
				if p.In == "path" && (p.Description == "" || p.Description == "The id.") {
					t.Errorf("%s: path parameter %s has description %q", op.OperationID, p.Name, p.Description)
				}
			}
		}
	}
	op := func(id string) (string, string) {
		t.Helper()
		method, path, ok := strings.Cut(ops[id], " ")
		if !ok {
			t.Fatalf("no operation %s", id)
		}
		return method, path
	}
	idParams := map[string]string{
		"revokeToken":       "The token's id.",
		"getDeployment":     "The deployment's id.",
		"events":            "The deployment's id.",
		"rollback":          "The deployment's id.",
		"definitionHistory": "The definition's id.",
	}
	for id, want := range idParams {
		method, path := op(id)
		for _, p := range doc.Paths[path][method].Parameters {
			if p.Name == "id" && p.Description != want {
				t.Errorf("%s: id is %q, want %q", id, p.Description, want)
			}
		}
	}
	// The body is required but where the handler accepts none.
	optional := []string{"createToken", "probeDefinitions", "pruneResources"}
	for id, key := range ops {
		method, path, _ := strings.Cut(key, " ")
		body := doc.Paths[path][method].RequestBody
		if body == nil {
			continue
		}
		if want := !slices.Contains(optional, id); body.Required != want {
			t.Errorf("%s: requestBody.required %v, want %v", id, body.Required, want)
		}
	}
	for _, id := range optional {
		method, path := op(id)
		if doc.Paths[path][method].RequestBody == nil {
			t.Errorf("%s: no requestBody", id)
		}
	}
	// What may answer 429 says so.
	for _, id := range []string{"events", "probeTarget", "probeDefinitions"} {
		method, path := op(id)
		if doc.Paths[path][method].Responses["429"] == nil {
			t.Errorf("%s: no 429 response", id)
		}
	}
}
