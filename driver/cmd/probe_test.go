package cmd

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"paved.dev/paved"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		inputs      map[string]any
		wantErr     bool
		wantChecked bool // false: a NotCheckedError
		wantMsg     []string
		maxTime     time.Duration
	}{
		{
			name:        "check mode passes",
			inputs:      map[string]any{"program": script(t, "check.sh"), "check": true},
			wantChecked: true,
		},
		{
			name:        "check mode with its own arguments fails",
			inputs:      map[string]any{"program": script(t, "check.sh"), "args": []any{"provision"}, "check": []any{"fail"}},
			wantErr:     true,
			wantChecked: true,
			wantMsg:     []string{"check.sh (check) failed with exit status 1; stderr ends with:\ncheck.sh: cannot reach minio.example:9000: connection refused"},
		},
		{
			name:        "check mode hangs",
			inputs:      map[string]any{"program": script(t, "check.sh"), "check": []any{"hang"}, "timeout": "300ms"},
			wantErr:     true,
			wantChecked: true,
			wantMsg:     []string{"check.sh (check) did not finish within 300ms"},
			maxTime:     3 * time.Second,
		},
		{
			name:        "check mode through a uri",
			inputs:      map[string]any{"uri": "cmd://./testdata/check.sh#minio", "check": true},
			wantChecked: true,
		},
		{
			name:    "no check mode: only found",
			inputs:  map[string]any{"program": "sh"},
			wantErr: true,
			wantMsg: []string{"program sh was found at /", "but not run: the definition sets no check mode", "set the check input"},
		},
		{
			name:        "not found",
			inputs:      map[string]any{"program": "testdata/missing.sh", "check": true},
			wantErr:     true,
			wantChecked: true,
			wantMsg:     []string{"program testdata/missing.sh cannot be run"},
		},
		{
			name:        "not executable",
			inputs:      map[string]any{"uri": "cmd://./testdata/README"},
			wantErr:     true,
			wantChecked: true,
			wantMsg:     []string{"cannot be run", "execute permission"},
		},
		{
			name:        "not on PATH",
			inputs:      map[string]any{"uri": "cmd://no-such-provisioner-here"},
			wantErr:     true,
			wantChecked: true,
			wantMsg:     []string{`uri "cmd://no-such-provisioner-here": "no-such-provisioner-here" is not found on PATH`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			err := New(nil).Probe(context.Background(), tt.inputs)
			if elapsed := time.Since(start); tt.maxTime > 0 && elapsed > tt.maxTime {
				t.Errorf("took %v, want under %v", elapsed, tt.maxTime)
			}
			if got := err != nil; got != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err == nil {
				return
			}
			// The platform reports a probe that only found the program as
			// limited, never as passed or failed.
			var nc *NotCheckedError
			if limited := errors.Is(err, paved.ErrProbeLimited); limited == tt.wantChecked || limited != errors.As(err, &nc) {
				t.Errorf("errors.Is(err, paved.ErrProbeLimited) = %v, want %v (err %v)", limited, !tt.wantChecked, err)
			}
			// The platform shows ErrorMessage: it must be the message, not
			// "internal error".
			msg := paved.ErrorMessage(err)
			for _, want := range tt.wantMsg {
				if !strings.Contains(msg, want) {
					t.Errorf("message = %q, want it to contain %q", msg, want)
				}
			}
		})
	}
}
