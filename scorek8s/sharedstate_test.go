package scorek8s

import (
	"reflect"
	"testing"
)

func TestMergePatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		doc, patch   map[string]any
		want         map[string]any
		wantUnchange map[string]any // doc after the call
	}{
		{"nil doc", nil, map[string]any{"a": 1.0}, map[string]any{"a": 1.0}, nil},
		{"empty patch", map[string]any{"a": 1.0}, map[string]any{}, map[string]any{"a": 1.0}, map[string]any{"a": 1.0}},
		{"null deletes", map[string]any{"a": 1.0, "b": 2.0}, map[string]any{"a": nil}, map[string]any{"b": 2.0}, map[string]any{"a": 1.0, "b": 2.0}},
		{"objects merge", map[string]any{"o": map[string]any{"x": 1.0, "y": 1.0}}, map[string]any{"o": map[string]any{"y": nil, "z": 3.0}},
			map[string]any{"o": map[string]any{"x": 1.0, "z": 3.0}}, map[string]any{"o": map[string]any{"x": 1.0, "y": 1.0}}},
		{"object replaces a scalar, without its nulls", map[string]any{"o": "s"}, map[string]any{"o": map[string]any{"k": nil, "v": 1.0}},
			map[string]any{"o": map[string]any{"v": 1.0}}, map[string]any{"o": "s"}},
		{"lists replace", map[string]any{"l": []any{1.0, 2.0}}, map[string]any{"l": []any{3.0}}, map[string]any{"l": []any{3.0}}, map[string]any{"l": []any{1.0, 2.0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := MergePatch(tt.doc, tt.patch); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("mergePatch = %v, want %v", got, tt.want)
			}
			if !reflect.DeepEqual(tt.doc, tt.wantUnchange) {
				t.Errorf("doc changed to %v", tt.doc)
			}
		})
	}
}
