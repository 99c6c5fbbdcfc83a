package manifest

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzMarshalTree writes any JSON value as YAML, as objects reach the writer
// (decoded from JSON or YAML): the YAML must read back as the same value
// with a YAML 1.2 and a YAML 1.1 reader, and the only refusal is a key too
// long for YAML.
func FuzzMarshalTree(f *testing.F) {
	for _, s := range []string{
		`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"a":"yes","b":"1e3","c":"x: y","d":"line1\n  line2\n"}}`,
		`{"a":[[],[{}],[[1,2.5,-0.0,1e300]]],"b":null,"c":true}`,
		`["- a","? b",": c","#d","&e","*f","!g","|h",">i","%j","@k","` + "`l" + `"]`,
		`{"":"","  ":" ","\u2028":"\u0085","a\tb":"\ufeff","key with: colon":"value # not a comment"}`,
		`{"f":"a\n\n","g":"a\nb","h":" a\nb","i":"\n","j":"a \n","k":"\ta\n"}`,
		`"just a string"`, `12345678901234567890`, `-1`, `{"n":1.0000000000000002}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return
		}
		out, err := Marshal(v)
		if err != nil {
			if strings.Contains(err.Error(), "keys longer than") || strings.Contains(err.Error(), "beyond what a 64-bit number holds") {
				return
			}
			t.Fatalf("Marshal(%s): %v", data, err)
		}
		assertRoundTrip(t, v, out)
		again, _ := Marshal(v)
		if string(again) != string(out) {
			t.Fatalf("the same value written differently:\n%s\n%s", out, again)
		}
	})
}
