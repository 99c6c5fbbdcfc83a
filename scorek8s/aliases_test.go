package scorek8s

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

// TestParseBoundsAliases: Parse decodes each provisioner on its own and
// expands merge keys by hand, so an alias was expanded again for every
// provisioner that names it, and a merge of merges for every path to it:
// the merges below (10 bases a level, 8 levels: 10^8 expansions, under
// 800 bytes) took 46 to 70 s, and 3,000 aliases of a provisioner of 3,000
// arguments 2.1 to 2.3 s (yaml.v3's own limit does not see them: each provisioner is
// decoded apart, and an alias as a whole provisioner is decoded as the
// value it names). The file's aliases may now
// repeat at most 100,000 values, refused before any is expanded, naming
// the provisioner and the field.
func TestParseBoundsAliases(t *testing.T) {
	t.Parallel()
	var merges strings.Builder
	merges.WriteString("- &m0 {uri: 'template://a', type: t}\n")
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&merges, "- &m%d {<<: [%s], uri: 'template://a%d', type: t}\n", i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*m%d, ", i-1), 10), ", "), i)
	}
	wide := "- &p {uri: 'cmd://z', type: t, args: [" + strings.TrimSuffix(strings.Repeat("x, ", 3000), ", ") + "]}\n"
	over := "the aliases (*name) and merge keys (<<: *name) of the file repeat more than 100000 values; a file may repeat at most 100000 through aliases"
	cases := []struct {
		name, data, err string
	}{
		{"merges of merges", merges.String(), "p.provisioners.yaml: provisioner 5 (template://a5): <<[0] (line 6): " + over},
		{"a wide provisioner aliased", wide + strings.Repeat("- *p\n", 3000), "p.provisioners.yaml: provisioner 34: line 35: " + over},
		{"a cycle", "- &p {uri: 'cmd://z', type: t, <<: *p}\n", "p.provisioners.yaml: provisioner 0 (cmd://z): << (line 1): the alias *p is inside the value it names (&p)"},
		{"a wide provisioner aliased under the limit", wide + strings.Repeat("- *p\n", 33), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			ps, err := Parse("p.provisioners.yaml", []byte(tc.data))
			took := time.Since(start)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err == "" && (len(ps) != 34 || len(ps[33].Args) != 3000):
				t.Fatalf("%d provisioners", len(ps))
			case tc.err != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.err)):
				t.Fatalf("err = %v\nwant   %s...", err, tc.err)
			}
			if took > hangGuard {
				t.Errorf("took %v (%d bytes), over the %v hang guard: the aliases were expanded before they were counted", took, len(tc.data), hangGuard)
			}
		})
	}
}
