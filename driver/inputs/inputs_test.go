package inputs

import (
	"slices"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

// errText runs read on a Reader of m and returns Err's message, "" for nil,
// after checking that an error is a paved.EINVALID one.
func errText(t *testing.T, m map[string]any, read func(r *Reader)) string {
	t.Helper()
	r := NewReader("test", m)
	read(r)
	err := r.Err()
	if err == nil {
		return ""
	}
	if paved.ErrorCode(err) != paved.EINVALID {
		t.Fatalf("Err() = %#v, want a paved.EINVALID error", err)
	}
	return err.Error()
}

func TestString(t *testing.T) {
	const hint = `a host, e.g. "db"`
	tests := []struct {
		name     string
		m        map[string]any
		required bool
		want     string
		wantErr  string
	}{
		{"given", map[string]any{"host": "db"}, true, "db", ""},
		{"optional missing", map[string]any{}, false, "", ""},
		{"optional null", map[string]any{"host": nil}, false, "", ""},
		{"optional empty", map[string]any{"host": ""}, false, "", ""},
		{"required missing", map[string]any{}, true, "", `test driver_inputs: host is required: set it to a host, e.g. "db"`},
		{"required null", map[string]any{"host": nil}, true, "", `test driver_inputs: host is required: set it to a host, e.g. "db"`},
		{"required blank", map[string]any{"host": "  "}, true, "  ", `test driver_inputs: host must not be empty: set it to a host, e.g. "db"`},
		{"boolean", map[string]any{"host": true}, false, "", "test driver_inputs: host must be a string, not a boolean"},
		{"number", map[string]any{"host": 5.0}, true, "", "test driver_inputs: host must be a string, not a number"},
		{"list", map[string]any{"host": []any{"a"}}, true, "", "test driver_inputs: host must be a string, not a list"},
		{"map", map[string]any{"host": map[string]any{}}, true, "", "test driver_inputs: host must be a string, not a map"},
		{"other type", map[string]any{"host": []string{"a"}}, true, "", "test driver_inputs: host must be a string, not []string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			msg := errText(t, tt.m, func(r *Reader) { got = r.String("host", tt.required, hint) })
			if got != tt.want || msg != tt.wantErr {
				t.Errorf("String = %q, error %q; want %q, error %q", got, msg, tt.want, tt.wantErr)
			}
		})
	}
}

func TestSecretNotInMessage(t *testing.T) {
	msg := errText(t, map[string]any{"password": []any{"hunter2"}, "passwd": "hunter2"}, func(r *Reader) { r.String("password", false, "") })
	if strings.Contains(msg, "hunter2") {
		t.Errorf("error %q holds the secret", msg)
	}
}

func TestPort(t *testing.T) {
	const bad = "test driver_inputs: port must be a TCP port number from 1 to 65535 (default 5432)"
	tests := []struct {
		name    string
		v       any
		want    int
		wantErr string
	}{
		{"missing", nil, 5432, ""},
		{"int", 6543, 6543, ""},
		{"int64", int64(1), 1, ""},
		{"uint64", uint64(65535), 65535, ""},
		{"whole float", 3306.0, 3306, ""},
		{"string", "6379", 6379, ""},
		{"zero", 0, 5432, bad},
		{"too large", 65536, 5432, bad},
		{"negative", int64(-1), 5432, bad},
		{"fraction", 5432.5, 5432, bad},
		{"not a number", "postgres", 5432, bad},
		{"boolean", true, 5432, bad},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]any{}
			if tt.v != nil {
				m["port"] = tt.v
			}
			var got int
			msg := errText(t, m, func(r *Reader) { got = r.Port("port", 5432) })
			if got != tt.want || msg != tt.wantErr {
				t.Errorf("Port = %d, error %q; want %d, error %q", got, msg, tt.want, tt.wantErr)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	const def, max = time.Minute, time.Hour
	tests := []struct {
		name    string
		v       any
		want    time.Duration
		wantErr string
	}{
		{"missing", nil, def, ""},
		{"go duration", "90s", 90 * time.Second, ""},
		{"seconds string", "2.5", 2500 * time.Millisecond, ""},
		{"int", 30, 30 * time.Second, ""},
		{"int64", int64(2), 2 * time.Second, ""},
		{"uint64", uint64(3), 3 * time.Second, ""},
		{"float", 0.5, 500 * time.Millisecond, ""},
		{"at most", "1h", time.Hour, ""},
		{"not a duration", "soon", def, `test driver_inputs: timeout "soon" is not a duration: write it like "90s" or "2m", or as a number of seconds`},
		{"wrong type", true, def, `test driver_inputs: timeout must be a duration like "90s" or a number of seconds`},
		{"zero", 0, def, "test driver_inputs: timeout must be more than 0 and at most 1h0m0s"},
		{"negative", "-1s", def, "test driver_inputs: timeout must be more than 0 and at most 1h0m0s"},
		{"too long", "61m", def, "test driver_inputs: timeout must be more than 0 and at most 1h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]any{}
			if tt.v != nil {
				m["timeout"] = tt.v
			}
			var got time.Duration
			msg := errText(t, m, func(r *Reader) { got = r.Duration("timeout", def, max) })
			if got != tt.want || msg != tt.wantErr {
				t.Errorf("Duration = %v, error %q; want %v, error %q", got, msg, tt.want, tt.wantErr)
			}
		})
	}
}

func TestStringList(t *testing.T) {
	tests := []struct {
		name    string
		v       any
		want    []string
		wantErr string
	}{
		{"missing", nil, nil, ""},
		{"empty", []any{}, nil, ""},
		{"strings", []any{"-v", "x"}, []string{"-v", "x"}, ""},
		{"not all strings", []any{"a", 1, "b", false}, []string{"a", "b"}, "test driver_inputs: args[1] must be a string; args[3] must be a string"},
		{"not a list", "-v", nil, "test driver_inputs: args must be a list of strings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]any{}
			if tt.v != nil {
				m["args"] = tt.v
			}
			var got []string
			msg := errText(t, m, func(r *Reader) { got = r.StringList("args") })
			if !slices.Equal(got, tt.want) || msg != tt.wantErr {
				t.Errorf("StringList = %q, error %q; want %q, error %q", got, msg, tt.want, tt.wantErr)
			}
		})
	}
}

func TestValueProblemfErr(t *testing.T) {
	tests := []struct {
		name    string
		m       map[string]any
		read    func(r *Reader)
		wantErr string
	}{
		{"nothing", nil, func(r *Reader) {}, ""},
		{"all known", map[string]any{"a": "x", "b": nil}, func(r *Reader) { r.Value("a"); r.Value("b") }, ""},
		{"own problem", map[string]any{}, func(r *Reader) { r.Problemf("mode %q is not one of x, y", "z") }, `test driver_inputs: mode "z" is not one of x, y`},
		{
			"unknown inputs, sorted, after the problems",
			map[string]any{"host": 1, "zz": 1, "aa": 1},
			func(r *Reader) { r.String("host", true, "h"); r.Port("port", 1) },
			`test driver_inputs: host must be a string, not a number; unknown input "aa": the inputs are host, port; unknown input "zz": the inputs are host, port`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if msg := errText(t, tt.m, tt.read); msg != tt.wantErr {
				t.Errorf("error %q, want %q", msg, tt.wantErr)
			}
		})
	}
}

func TestValue(t *testing.T) {
	r := NewReader("test", map[string]any{"a": nil, "b": 2})
	if v, ok := r.Value("a"); v != nil || !ok {
		t.Errorf("Value(a) = %v, %v; want nil, true", v, ok)
	}
	if v, ok := r.Value("b"); v != 2 || !ok {
		t.Errorf("Value(b) = %v, %v; want 2, true", v, ok)
	}
	if v, ok := r.Value("c"); v != nil || ok {
		t.Errorf("Value(c) = %v, %v; want nil, false", v, ok)
	}
}
