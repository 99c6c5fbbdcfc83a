package yamlalias

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func parse(t *testing.T, src string) []*yaml.Node {
	t.Helper()
	dec := yaml.NewDecoder(strings.NewReader(src))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return docs
			}
			t.Fatalf("parsing %q: %v", src, err)
		}
		docs = append(docs, &n)
	}
}

// TestCheck counts what aliases repeat, exactly, and refuses one value
// over the limit, naming the alias's field and line.
func TestCheck(t *testing.T) {
	// *a stands for 3 values (the list and its 2 items); b for 1+3+3.
	nested := "a: &a [1, 2]\nb: &b [*a, *a]\nc: [*b]\n"
	cases := []struct {
		name, src string
		max       int
		repeated  int    // when accepted
		err       string // when refused
	}{
		{"no alias", "a: [1, 2, {b: c}]\n", 0, 0, ""},
		{"an alias of a scalar", "a: &a x\nb: *a\n", 10, 1, ""},
		{"an alias of a list", "a: &a [1, 2]\nb: *a\n", 10, 3, ""},
		{"a merge key", "a: &a {x: 1, y: 2}\nb: {<<: *a, z: 3}\n", 10, 5, ""},
		{"merge of a list of aliases", "a: &a {x: 1}\nb: &b {y: 2}\nc: {<<: [*a, *b]}\n", 10, 6, ""},
		{"aliases of aliases, at the limit", nested, 3 + 3 + 7, 13, ""},
		{"aliases of aliases, one over", nested, 12, 0, "c[0] (line 3): the aliases (*name) and merge keys (<<: *name) of the file repeat more than 12 values"},
		{"the first alias over", "a: &a [1, 2]\nb: [*a, *a, *a]\n", 5, 0, "b[1] (line 2): "},
		{"an alias as the whole value", "&a [1]\n", 0, 0, ""},
		{"an alias inside its own value", "a: &a [1, *a]\n", 100, 0, "a[1] (line 1): the alias *a is inside the value it names (&a)"},
		{"a merge of itself", "a: &a {x: 1, <<: *a}\n", 100, 0, "a.<< (line 1): the alias *a is inside the value it names"},
		{"documents share the budget", "a: &a [1, 2]\nb: *a\n---\na: &a [1, 2]\nb: *a\n", 5, 0, "b (line 5): "},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := New(tc.max)
			var err error
			for _, d := range parse(t, tc.src) {
				if err = c.Check(d); err != nil {
					break
				}
			}
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.err == "" && c.Repeated() != tc.repeated:
				t.Fatalf("repeated %d values, want %d", c.Repeated(), tc.repeated)
			case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
				t.Fatalf("err = %v, want one containing %q", err, tc.err)
			}
		})
	}
}

// TestCheckIsLinear: a bomb of 40 levels (each a list of two aliases of
// the one before, 2^40 values expanded) is refused after walking what is
// written, at once: level i's list holds 2^(i+2)-1 values, so the aliases
// of levels 1 to 13 repeat 65,502 and the second of level 14 goes over
// 100,000. Counted without a limit, the sums never overflow.
func TestCheckIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("l0: &l0 [x, x]\n")
	for i := 1; i < 40; i++ {
		fmt.Fprintf(&b, "l%d: &l%d [*l%d, *l%d]\n", i, i, i-1, i-1)
	}
	docs := parse(t, b.String())
	// The work is asserted by what is counted, not by time: refused where
	// the count first goes over, with what it counted by then, and, with
	// no limit, the whole expansion counted (2^41 values, which no walk
	// of the expansion would finish). The time is only a hang guard, loose
	// for a loaded 2-core machine.
	const hangGuard = 20 * time.Second
	start := time.Now()
	limited := New(Max)
	err := limited.Check(docs[0])
	var le *LimitError
	if !errors.As(err, &le) || le.Path != "l14[1]" || le.Line != 15 {
		t.Fatalf("err = %#v, want a *LimitError at l14[1], line 15", err)
	}
	// Levels 1 to 13 (65,502), then both aliases of level 14, each
	// *l13's 2^15-1 values, the second the one over: 131,036.
	counted := 2 * (1<<15 - 1)
	for i := 1; i < 14; i++ {
		counted += 2 * (1<<(i+1) - 1)
	}
	if limited.Repeated() != counted {
		t.Errorf("refused having counted %d, want %d (levels 1-13 and both aliases of l14)", limited.Repeated(), counted)
	}
	// With no limit to stop it, the count is the real expansion: the
	// aliases of level i repeat 2*(2^(i+1)-1) values.
	c := New(1 << 62)
	if err := c.Check(docs[0]); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > hangGuard {
		t.Errorf("checking took %v, over the %v hang guard: the walk is not linear in what is written", took, hangGuard)
	}
	want := 0
	for i := 1; i < 40; i++ {
		want += 2 * (1<<(i+1) - 1)
	}
	if c.Repeated() != want {
		t.Errorf("repeated %d, want %d", c.Repeated(), want)
	}
}

// TestCheckTreeBuiltByHand: an alias whose value was not walked before it
// (no parser makes one, a program may) is counted all the same.
func TestCheckTreeBuiltByHand(t *testing.T) {
	target := &yaml.Node{Kind: yaml.SequenceNode, Anchor: "t", Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "1"}}}
	root := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{
		{Kind: yaml.AliasNode, Value: "t", Alias: target},
		{Kind: yaml.AliasNode, Value: "t", Alias: target},
	}}
	c := New(10)
	if err := c.Check(root); err != nil {
		t.Fatal(err)
	}
	if c.Repeated() != 4 {
		t.Errorf("repeated %d, want 4", c.Repeated())
	}
}
