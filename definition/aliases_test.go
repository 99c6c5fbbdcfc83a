package definition

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// hangGuard bounds how long one file may take: only a hang (an expansion
// the bound missed: these files expand to millions of values, minutes)
// goes over it. What the bound does is asserted by the error's text (the
// field where the count went over) and the values decoded, not by time:
// accepted files decode about 50,000 values, and a loaded 2-core machine
// takes well over a second for that now and then.
const hangGuard = 20 * time.Second

// Files whose aliases repeat too much, as the fuzz target's regression
// seeds (testdata/fuzz/FuzzParse) hold them. Before the aliases were
// bounded (yamlalias) they took, on the 2-core machine: mergeBomb(10), 744
// bytes, 46 to 70 s (the merge keys were expanded by hand, each base again
// for every path to it: 10^8 expansions), wideAlias(3000) 2.1 to 2.3 s
// (each of 3,000 provisioners decoded the 3,000 arguments of the one it
// aliases) and documentBombs(60) 6.6 to 11.7 s (yaml.v3 bounds aliases in
// each document, not in a stream: 392,000 values a document, 23.5 million
// in all).

// mergeBomb is a provisioner file of 9 provisioners, each merging k
// aliases of the one before.
func mergeBomb(k int) string {
	var b strings.Builder
	b.WriteString("- &m0 {uri: 'cmd://a', type: t}\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&b, "- &m%d {<<: [%s], uri: 'cmd://a%d', type: t}\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*m%d, ", i-1), k), ", "), i)
	}
	return b.String()
}

// wideAlias is a provisioner file of a provisioner with n arguments and n
// aliases of it.
func wideAlias(n int) string {
	return fmt.Sprintf("- &p {uri: 'cmd://a', type: t, args: [%s]}\n", strings.TrimSuffix(strings.Repeat("x, ", n), ", ")) + strings.Repeat("- *p\n", n)
}

// documentBombs is a definitions file of docs definitions, each with a
// list of lit values and refs aliases of it in its driver_inputs.
func documentBombs(docs, lit, refs int) string {
	var b strings.Builder
	for i := 0; i < docs; i++ {
		fmt.Fprintf(&b, "---\napiVersion: paved.dev/v1\nkind: ResourceDefinition\nid: d%d\ntype: t\ndriver: echo\ndriver_inputs:\n  a: &a [%s]\n  b: [%s]\n",
			i, strings.TrimSuffix(strings.Repeat("x,", lit), ","), strings.TrimSuffix(strings.Repeat("*a,", refs), ","))
	}
	return b.String()
}

// TestAliasesAreBounded: what aliases repeat is bounded for the whole file
// (100,000 values), a provisioner file or a definitions file; the slow
// files above are refused at once, naming the file, the document or
// provisioner and the field; files under the limit are read as before.
func TestAliasesAreBounded(t *testing.T) {
	over := "the aliases (*name) and merge keys (<<: *name) of the file repeat more than 100000 values; a file may repeat at most 100000 through aliases"
	cases := []struct {
		name, data string
		err        string // "" when accepted
		defs       int
	}{
		{"merges of merges", mergeBomb(10), "defs.yaml: provisioner 5 (cmd://a5): <<[0] (line 6): " + over, 0},
		{"an alias of a wide provisioner", wideAlias(3000), "defs.yaml: provisioner 34: line 35: " + over, 0},
		{"aliases in every document", documentBombs(60, 4000, 97), "defs.yaml: document 1 (id d0): driver_inputs.b[24] (line 9): " + over, 0},
		// Each alias repeats 4,001 values: 13 of them, 52,013, are
		// under the limit; the 25th of the file goes over.
		{"the budget is the file's", documentBombs(2, 4000, 13), "defs.yaml: document 2 (id d1): driver_inputs.b[11] (line 18): " + over, 0},
		{"under the limit", documentBombs(2, 4000, 12), "", 2},
		{"merges under the limit", mergeBomb(3), "", 9},
		{"a shared provisioner under the limit", wideAlias(300), "", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			defs, err := Parse("defs.yaml", []byte(tc.data))
			took := time.Since(start)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err == "" && len(defs) != tc.defs:
				t.Fatalf("%d definitions, want %d", len(defs), tc.defs)
			case tc.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.err)):
				t.Fatalf("err = %v\nwant   %s...", err, tc.err)
			}
			if took > hangGuard {
				t.Errorf("took %v (%d bytes), over the %v hang guard: the aliases were expanded before they were counted", took, len(tc.data), hangGuard)
			}
		})
	}
}
