package cmd

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/scorek8s"
)

func script(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func request(t *testing.T, inputs map[string]any, logs *[]string) *paved.ResourceRequest {
	t.Helper()
	return &paved.ResourceRequest{
		UID:            paved.NewResourceUID("web", "bucket", "s3", "", ""),
		SourceWorkload: "web",
		Params:         map[string]any{"size": "small"},
		Definition:     &paved.ResourceDefinition{ID: "s3", Type: "s3", Driver: "cmd", Inputs: inputs},
		Context:        paved.DeployContext{App: "shop", Env: "dev", EnvType: "development", Namespace: "shop-dev"},
		Workloads: map[string]paved.WorkloadInfo{
			"web": {Name: "web", ServiceName: "web", Ports: []paved.Port{{Name: "http", Port: 80, TargetPort: 8080, Protocol: "TCP"}}},
		},
		Log: func(msg string) { *logs = append(*logs, msg) },
	}
}

func TestProvisionAndDeprovision(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	marker := filepath.Join(t.TempDir(), "deprovisioned")
	var logs []string
	req := request(t, map[string]any{"program": script(t, "ok.sh"), "args": []any{"<mode>", marker}, "timeout": "10s", "deprovision": true}, &logs)
	d := New(nil)

	start := time.Now()
	res, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatalf("Provision: %v", err)
	}
	t.Logf("provisioned in %v", time.Since(start))
	if got, want := res.Outputs["host"], "h-s3.default#web.bucket"; got != want {
		t.Errorf("host = %v, want %v", got, want)
	}
	if got, want := res.Outputs["port"], float64(5432); got != want {
		t.Errorf("port = %v, want %v", got, want)
	}
	if got, want := res.State, map[string]any{"count": float64(1)}; !reflect.DeepEqual(got, want) {
		t.Errorf("state = %v, want %v", got, want)
	}
	if len(res.Manifests) != 1 || res.Manifests[0]["kind"] != "ConfigMap" {
		t.Errorf("manifests = %v, want one ConfigMap", res.Manifests)
	}
	wantLogs := []string{"cmd: ok.sh: provisioner: mode provision for s3.default#web.bucket", "cmd: ok.sh: provisioner: second line"}
	if !reflect.DeepEqual(logs, wantLogs) {
		t.Errorf("logs = %q, want %q", logs, wantLogs)
	}

	// What the program was given, as it echoed it back.
	input := res.Outputs["input"].(map[string]any)
	for k, want := range map[string]any{
		"mode": "provision", "resource_uid": "s3.default#web.bucket", "resource_type": "s3", "resource_class": "default",
		"resource_id": "web.bucket", "source_workload": "web", "namespace": "shop-dev", "app": "shop", "env": "dev", "env_type": "development",
	} {
		if input[k] != want {
			t.Errorf("input %s = %v, want %v", k, input[k], want)
		}
	}
	if got := input["resource_params"]; !reflect.DeepEqual(got, map[string]any{"size": "small"}) {
		t.Errorf("resource_params = %v", got)
	}
	port := input["workload_services"].(map[string]any)["web"].(map[string]any)["ports"].(map[string]any)["80"]
	if want := map[string]any{"name": "http", "port": float64(80), "target_port": float64(8080), "protocol": "TCP"}; !reflect.DeepEqual(port, want) {
		t.Errorf("workload_services.web.ports.80 = %v, want %v", port, want)
	}
	if guid, _ := input["resource_guid"].(string); len(guid) != 36 {
		t.Errorf("resource_guid = %q, want a UUID-like string", guid)
	}

	// The state goes back to the program.
	req.State = res.State
	again, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatalf("Provision again: %v", err)
	}
	if got := again.State["count"]; got != float64(2) {
		t.Errorf("count = %v, want 2", got)
	}

	if err := d.Deprovision(ctx, req); err != nil {
		t.Fatalf("Deprovision: %v", err)
	}
	got, err := os.ReadFile(marker)
	if err != nil || strings.TrimSpace(string(got)) != "deprovision s3.default#web.bucket" {
		t.Errorf("marker = %q, %v; want the program run in deprovision mode", got, err)
	}
}

// TestDeprovisionOnlyWhenAsked: without the deprovision input the program is
// not run (a score-k8s program would provision again), and the log says so;
// with a list, it runs with those arguments instead of args.
func TestDeprovisionOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	marker := filepath.Join(t.TempDir(), "deprovisioned")
	tests := []struct {
		name        string
		deprovision any
		wantRun     bool
	}{
		{"absent", nil, false},
		{"false", false, false},
		{"own arguments", []any{"deprovision", marker}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(marker)
			var logs []string
			inputs := map[string]any{"program": script(t, "ok.sh"), "args": []any{"provision", "unused"}}
			if tt.deprovision != nil {
				inputs["deprovision"] = tt.deprovision
			}
			if err := New(nil).Deprovision(context.Background(), request(t, inputs, &logs)); err != nil {
				t.Fatalf("Deprovision: %v", err)
			}
			_, err := os.Stat(marker)
			if got := err == nil; got != tt.wantRun {
				t.Errorf("program run = %v, want %v (logs %q)", got, tt.wantRun, logs)
			}
			if !tt.wantRun && (len(logs) != 1 || !strings.Contains(logs[0], "the definition does not set deprovision")) {
				t.Errorf("logs = %q, want one line saying deprovision is not set", logs)
			}
		})
	}
}

func TestFailures(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	outputs := t.TempDir()
	printing := func(name, doc string) map[string]any {
		p := filepath.Join(outputs, name)
		if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return map[string]any{"program": []any{script(t, "print.sh"), p}}
	}
	tests := []struct {
		name     string
		inputs   map[string]any
		wantCode string
		wantMsg  []string
		notMsg   []string
		maxTime  time.Duration
	}{
		{
			name:     "hangs",
			inputs:   map[string]any{"program": []any{script(t, "hang.sh"), pidFile}, "timeout": 1},
			wantCode: paved.EUNAVAILABLE,
			wantMsg:  []string{"hang.sh (provision) did not finish within 1s and was killed", "provisioner: waiting forever"},
			maxTime:  4 * time.Second,
		},
		{
			name:     "prints garbage",
			inputs:   map[string]any{"program": script(t, "garbage.sh")},
			wantCode: paved.EINTERNAL,
			wantMsg:  []string{"garbage.sh printed no valid output (17 bytes: invalid character"},
			maxTime:  2 * time.Second,
		},
		{
			name:     "prints outputs and then garbage",
			inputs:   map[string]any{"program": script(t, "leaky.sh")},
			wantCode: paved.EINTERNAL,
			wantMsg:  []string{"leaky.sh printed no valid output"},
			notMsg:   []string{"leaked-s3cr3t"},
			maxTime:  2 * time.Second,
		},
		{
			name:     "prints an unknown field",
			inputs:   printing("unknown.json", `{"outputs": {"password": "leaked-s3cr3t"}}`),
			wantCode: paved.EINTERNAL,
			wantMsg:  []string{`print.sh printed no valid output (42 bytes: json: unknown field "outputs")`},
			notMsg:   []string{"leaked-s3cr3t"},
			maxTime:  2 * time.Second,
		},
		{
			name:     "prints an object and a brace",
			inputs:   printing("brace.json", `{"resource_outputs": {"password": "leaked-s3cr3t"}} }`),
			wantCode: paved.EINTERNAL,
			wantMsg:  []string{"print.sh printed no valid output", "something follows the JSON object on stdout"},
			notMsg:   []string{"leaked-s3cr3t"},
			maxTime:  2 * time.Second,
		},
		{
			name:     "prints nothing",
			inputs:   printing("empty.json", "\n"),
			wantCode: paved.EINTERNAL,
			wantMsg:  []string{"print.sh printed no valid output (1 bytes: stdout is empty)"},
			maxTime:  2 * time.Second,
		},
		{
			name:     "uri not found",
			inputs:   map[string]any{"uri": "cmd:///nonexistent/provisioner#x"},
			wantCode: paved.EINVALID,
			wantMsg:  []string{`program "cmd:///nonexistent/provisioner#x" cannot be run`, "the definition's uri input"},
			maxTime:  time.Second,
		},
		{
			name:     "exits 3",
			inputs:   map[string]any{"program": script(t, "fail.sh")},
			wantCode: paved.EINTERNAL,
			wantMsg:  []string{"fail.sh (provision) failed with exit status 3; stderr ends with:\nprovisioner: line 11\n", "provisioner: line 30"},
			notMsg:   []string{"line 10\n"},
			maxTime:  2 * time.Second,
		},
		{
			name:     "floods stdout",
			inputs:   map[string]any{"program": script(t, "flood.sh")},
			wantCode: paved.EINTERNAL,
			wantMsg:  []string{"flood.sh (provision) printed more than 4 MiB on stdout"},
			maxTime:  5 * time.Second,
		},
		{
			name:     "not found",
			inputs:   map[string]any{"program": "/nonexistent/provisioner"},
			wantCode: paved.EINVALID,
			wantMsg:  []string{`program "/nonexistent/provisioner" cannot be run`},
			maxTime:  time.Second,
		},
		{
			name:     "missing program",
			inputs:   map[string]any{"timeout": "1m"},
			wantCode: paved.EINVALID,
			wantMsg:  []string{"program is required"},
			maxTime:  time.Second,
		},
		{
			name:     "bad timeout and unknown input",
			inputs:   map[string]any{"program": "x", "timeout": "soon", "argz": []any{}},
			wantCode: paved.EINVALID,
			wantMsg:  []string{`timeout "soon" is not a duration`, `unknown input "argz"`},
			maxTime:  time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs []string
			start := time.Now()
			_, err := New(nil).Provision(context.Background(), request(t, tt.inputs, &logs))
			elapsed := time.Since(start)
			if got := paved.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			for _, want := range tt.wantMsg {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("err = %q, want it to contain %q", err, want)
				}
			}
			for _, not := range tt.notMsg {
				if strings.Contains(err.Error(), not) {
					t.Errorf("err = %q, want it without %q", err, not)
				}
			}
			if elapsed > tt.maxTime {
				t.Errorf("took %v, want under %v", elapsed, tt.maxTime)
			}
		})
	}

	t.Run("hang kills the process group", func(t *testing.T) {
		t.Parallel()
		pidFile := filepath.Join(t.TempDir(), "child.pid")
		var logs []string
		start := time.Now()
		_, err := New(nil).Provision(context.Background(), request(t, map[string]any{"program": []any{script(t, "hang.sh"), pidFile}, "timeout": "500ms"}, &logs))
		t.Logf("returned after %v", time.Since(start))
		if err == nil {
			t.Fatal("no error")
		}
		b, err := os.ReadFile(pidFile)
		if err != nil {
			t.Fatal(err)
		}
		pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		deadline := time.Now().Add(2 * time.Second)
		for alive(pid) {
			if time.Now().After(deadline) {
				t.Fatalf("the program's child %d still runs", pid)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

// alive tells whether a process runs; a zombie, killed but not yet reaped by
// init, does not.
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return syscall.Kill(pid, 0) == nil && !os.IsNotExist(err)
	}
	// The state follows the command name in parentheses.
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

func TestLineWriter(t *testing.T) {
	t.Parallel()
	var logs []string
	w := &lineWriter{log: func(s string) { logs = append(logs, s) }, prefix: "p: "}
	for _, chunk := range []string{"one\ntw", "o\r\n", strings.Repeat("x", 3000), "\nlast"} {
		w.Write([]byte(chunk))
	}
	w.flush()
	want := []string{"p: one", "p: two", "p: " + strings.Repeat("x", maxLineBytes), "p: last"}
	if !reflect.DeepEqual(logs, want) {
		t.Errorf("logs = %q, want %q", logs, want)
	}
}

// TestSecretRefNotDeclared: through Provision, an undeclared secret output
// is refused and its value is not in the error.
func TestSecretRefNotDeclared(t *testing.T) {
	t.Parallel()
	var logs []string
	req := request(t, map[string]any{"uri": "cmd://./testdata/scorek8s.sh"}, &logs)
	req.Definition.Outputs = []paved.OutputSpec{{Name: "*"}}
	_, err := New(nil).Provision(context.Background(), req)
	if code := paved.ErrorCode(err); code != paved.EINVALID || !strings.Contains(err.Error(), `output "password"`) || strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("err = %v (%s), want password refused as undeclared, without its value", err, code)
	}
}

// TestSharedStateRoundTrip: the shared state a program returns is merged
// into what it had, kept beside its resource_state, and given back to it
// (not inside resource_state) next time.
func TestSharedStateRoundTrip(t *testing.T) {
	t.Parallel()
	patchFile := filepath.Join(t.TempDir(), "patch.json")
	var logs []string
	req := request(t, map[string]any{"program": []any{script(t, "shared.sh"), patchFile}}, &logs)
	steps := []struct {
		patch      string
		wantInput  any // shared_state the program was given
		wantShared any // kept after the run; nil: none kept
	}{
		{`{"prefix": "acme", "buckets": {"web.bucket": true}}`, map[string]any{},
			map[string]any{"prefix": "acme", "buckets": map[string]any{"web.bucket": true}}},
		{`{"prefix": null, "buckets": {"web.logs": true}}`, map[string]any{"prefix": "acme", "buckets": map[string]any{"web.bucket": true}},
			map[string]any{"buckets": map[string]any{"web.bucket": true, "web.logs": true}}},
		{`null`, map[string]any{"buckets": map[string]any{"web.bucket": true, "web.logs": true}},
			map[string]any{"buckets": map[string]any{"web.bucket": true, "web.logs": true}}},
		{`{"buckets": null}`, map[string]any{"buckets": map[string]any{"web.bucket": true, "web.logs": true}}, nil},
	}
	for i, s := range steps {
		if err := os.WriteFile(patchFile, []byte(s.patch), 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := New(nil).Provision(context.Background(), req)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		input := res.Outputs["input"].(map[string]any)
		if got := input["shared_state"]; !reflect.DeepEqual(got, s.wantInput) {
			t.Errorf("step %d: shared_state given = %v, want %v", i, got, s.wantInput)
		}
		wantOwn := map[string]any{}
		if i > 0 {
			wantOwn = map[string]any{"n": 1.0}
		}
		if got := input["resource_state"]; !reflect.DeepEqual(got, wantOwn) {
			t.Errorf("step %d: resource_state given = %v, want %v", i, got, wantOwn)
		}
		want := map[string]any{"n": 1.0}
		if s.wantShared != nil {
			want[scorek8s.SharedStateKey] = s.wantShared
		}
		if !reflect.DeepEqual(res.State, want) {
			t.Errorf("step %d: state = %v, want %v", i, res.State, want)
		}
		req.State = res.State
	}
}

// TestSharedStateKeyReserved: a program may not use the key paved keeps the
// shared state under.
func TestSharedStateKeyReserved(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "out.json")
	if err := os.WriteFile(out, []byte(`{"resource_state": {"`+scorek8s.SharedStateKey+`": 1}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs []string
	_, err := New(nil).Provision(context.Background(), request(t, map[string]any{"program": []any{script(t, "print.sh"), out}}, &logs))
	if got := paved.ErrorCode(err); got != paved.EINTERNAL || !strings.Contains(err.Error(), `resource_state holds the key "paved:shared_state"`) {
		t.Errorf("err = %v (%s), want the reserved key refused", err, got)
	}
}
