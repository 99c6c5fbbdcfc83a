package portal

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

var updateGraph = flag.Bool("update", false, "rewrite golden files")

// graphShop is the representative graph of the golden file: two
// workloads, web and api; api depends on postgres and redis; web on a
// route and on the workload api.
func graphShop() []GraphNode {
	return []GraphNode{
		{ID: "workload:web", Label: "web", Kind: "workload", Sublabel: "workload", Href: "/apps/shop/workloads/web",
			DependsOn: []string{"route.default#web.route", "workload:api"}},
		{ID: "workload:api", Label: "api", Kind: "workload", Sublabel: "workload", Href: "/apps/shop/workloads/api",
			DependsOn: []string{"postgres.default#api.db", "redis.default#api.cache"}},
		{ID: "postgres.default#api.db", Label: "postgres.default#api.db", Kind: "resource", Sublabel: "postgres.default@v1"},
		{ID: "redis.default#api.cache", Label: "redis.default#api.cache", Kind: "resource", Sublabel: "redis.default@v2"},
		{ID: "route.default#web.route", Label: "route.default#web.route", Kind: "resource", Sublabel: "route.default@v1"},
	}
}

// graphCases are shapes every property below is checked on.
func graphCases() map[string][]GraphNode {
	chain := func(n int, cyclic bool) []GraphNode {
		var ns []GraphNode
		for i := range n {
			d := []string{fmt.Sprintf("n%04d", i+1)}
			if i == n-1 {
				d = nil
				if cyclic {
					d = []string{"n0000"}
				}
			}
			ns = append(ns, GraphNode{ID: fmt.Sprintf("n%04d", i), Kind: "resource", DependsOn: d})
		}
		return ns
	}
	return map[string][]GraphNode{
		"shop":   graphShop(),
		"single": {{ID: "a", Kind: "workload"}},
		"diamond": {
			{ID: "a", Kind: "workload", DependsOn: []string{"b", "c"}},
			{ID: "b", DependsOn: []string{"d"}}, {ID: "c", DependsOn: []string{"d"}}, {ID: "d"},
		},
		// a→d spans three layers, so it runs through dummies
		"long edge": {
			{ID: "a", Kind: "workload", DependsOn: []string{"b", "d"}},
			{ID: "b", DependsOn: []string{"c"}}, {ID: "c", DependsOn: []string{"d"}}, {ID: "d"},
		},
		"disconnected": {
			{ID: "x", Kind: "workload", DependsOn: []string{"y"}}, {ID: "y"}, {ID: "z"},
			{ID: "w", Kind: "workload", DependsOn: []string{"unknown"}},
		},
		"crossing": {
			{ID: "w1", Kind: "workload", DependsOn: []string{"r3"}},
			{ID: "w2", Kind: "workload", DependsOn: []string{"r2"}},
			{ID: "w3", Kind: "workload", DependsOn: []string{"r1"}},
			{ID: "r1"}, {ID: "r2"}, {ID: "r3"},
		},
		"two-cycle":   {{ID: "a", DependsOn: []string{"b"}}, {ID: "b", DependsOn: []string{"a"}}},
		"three-cycle": {{ID: "w", Kind: "workload", DependsOn: []string{"a"}}, {ID: "a", DependsOn: []string{"b"}}, {ID: "b", DependsOn: []string{"c"}}, {ID: "c", DependsOn: []string{"a"}}},
		"self":        {{ID: "a", DependsOn: []string{"a", "b"}}, {ID: "b"}},
		"chain":       chain(300, false),
		"ring":        chain(300, true),
		"bench":       graphBenchNodes(200),
	}
}

func graphAcyclic(name string) bool {
	return !strings.Contains(name, "cycle") && name != "self" && name != "ring"
}

// TestGraphLayering checks the layout: every edge goes from a lower layer
// to a higher one (in the drawing, left to right), a node sits one layer
// right of the deepest node pointing to it, and only cycles reverse edges.
func TestGraphLayering(t *testing.T) {
	for name, nodes := range graphCases() {
		t.Run(name, func(t *testing.T) {
			g := graphLayoutOf(nodes)
			want := make([]int, len(g.nodes))
			for changed := true; changed; { // longest path by relaxation (layout edges are acyclic)
				changed = false
				for _, e := range g.edges {
					if u, v := e.ends(); want[v] < want[u]+1 {
						want[v], changed = want[u]+1, true
					}
				}
			}
			for _, e := range g.edges {
				u, v := e.ends()
				if g.layer[u] >= g.layer[v] {
					t.Errorf("edge %s→%s laid out from layer %d to %d", g.nodes[e.from].ID, g.nodes[e.to].ID, g.layer[u], g.layer[v])
				}
				if e.reversed && graphAcyclic(name) {
					t.Errorf("edge %s→%s reversed in an acyclic graph", g.nodes[e.from].ID, g.nodes[e.to].ID)
				}
			}
			if !slices.Equal(g.layer, want) {
				t.Errorf("layers %v, longest path gives %v", g.layer, want)
			}
			// Items of a layer are ordered top to bottom and do not overlap.
			for l, layer := range g.layers {
				for i := 1; i < len(layer); i++ {
					a, b := g.items[layer[i-1]], g.items[layer[i]]
					if b.y < a.y+a.h+graphItemGap-1 {
						t.Errorf("layer %d: item %d at %v overlaps the one above (%v+%v)", l, i, b.y, a.y, a.h)
					}
				}
			}

			// In the drawing: edges not part of a cycle end right of where they start.
			svg := graphParse(t, string(GraphSVG(name, nodes)))
			for _, p := range svg.all("path") {
				cls := p.attr["class"]
				if !strings.Contains(cls, "edge") {
					continue
				}
				x0, x1 := graphPathEnds(t, p.attr["d"])
				if strings.Contains(cls, "edge-cycle") {
					if graphAcyclic(name) {
						t.Errorf("edge-cycle in an acyclic graph: %s", p.attr["d"])
					}
					continue
				}
				if x0 >= x1 {
					t.Errorf("edge %q goes right to left: %s", p.text(), p.attr["d"])
				}
			}
		})
	}
}

// TestGraphOrder: the barycentre sweeps undo crossings, and nodes without
// edges go last in their layer.
func TestGraphOrder(t *testing.T) {
	g := graphLayoutOf(graphCases()["crossing"])
	if c := g.crossings(); c != 0 {
		t.Errorf("crossings = %d, want 0 (r1..r3 reordered to match w1..w3)", c)
	}
	g = graphLayoutOf(graphCases()["disconnected"])
	var ids []string
	for _, id := range g.layers[0] {
		ids = append(ids, g.nodes[g.items[id].node].ID)
	}
	if want := []string{"x", "w", "z"}; !slices.Equal(ids, want) {
		t.Errorf("first layer %q, want %q (w and z have no edges)", ids, want)
	}
}

// TestGraphCycle: cycles terminate, are drawn (marked edge-cycle) and said.
func TestGraphCycle(t *testing.T) {
	for _, name := range []string{"two-cycle", "three-cycle", "self", "ring"} {
		t.Run(name, func(t *testing.T) {
			nodes := graphCases()[name]
			done := make(chan string, 1)
			go func() { done <- string(GraphSVG(name, nodes)) }()
			var out string
			select {
			case out = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("GraphSVG did not return within 10s on a cycle")
			}
			svg := graphParse(t, out)
			if got := strings.Count(out, `class="edge edge-cycle"`); got == 0 {
				t.Errorf("no edge marked edge-cycle")
			}
			if label := svg.attr["aria-label"]; !strings.HasSuffix(label, ", with a cycle") {
				t.Errorf("aria-label %q does not mention the cycle", label)
			}
			deps := 0
			for _, n := range nodes {
				deps += len(n.DependsOn)
			}
			if got := len(svg.classed("edge")); got != deps {
				t.Errorf("%d edges drawn, want %d (a cycle's edges are drawn, not dropped)", got, deps)
			}
		})
	}
}

// TestGraphDeterministic: the same input gives the same bytes, and so does
// any order of the nodes and of their dependencies.
func TestGraphDeterministic(t *testing.T) {
	for name, nodes := range graphCases() {
		t.Run(name, func(t *testing.T) {
			want := GraphSVG(name, nodes)
			if again := GraphSVG(name, nodes); again != want {
				t.Fatal("two calls differ")
			}
			r := rand.New(rand.NewPCG(1, uint64(len(nodes))))
			for range 5 {
				shuffled := graphClone(nodes)
				r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				for i := range shuffled {
					d := shuffled[i].DependsOn
					r.Shuffle(len(d), func(i, j int) { d[i], d[j] = d[j], d[i] })
				}
				if got := GraphSVG(name, shuffled); got != want {
					t.Fatalf("shuffled input gives another drawing:\n%s\nwant\n%s", got, want)
				}
			}
		})
	}
	t.Run("duplicate ids", func(t *testing.T) {
		a := []GraphNode{{ID: "x", Label: "first"}, {ID: "x", Label: "second", DependsOn: []string{"y"}}, {ID: "y"}}
		b := []GraphNode{a[2], a[1], a[0]}
		if GraphSVG("", a) != GraphSVG("", b) {
			t.Error("duplicate IDs: the kept node depends on the input's order")
		}
	})
	t.Run("input untouched", func(t *testing.T) {
		nodes := []GraphNode{{ID: "b", DependsOn: []string{"c", "a"}}, {ID: "a"}, {ID: "c"}}
		before := graphClone(nodes)
		GraphSVG("", nodes)
		for i := range nodes {
			if nodes[i].ID != before[i].ID || !slices.Equal(nodes[i].DependsOn, before[i].DependsOn) {
				t.Fatalf("GraphSVG changed its input: %v, was %v", nodes, before)
			}
		}
	})
}

func TestGraphEscaping(t *testing.T) {
	nodes := []GraphNode{
		{ID: `w"1`, Label: `<script>alert(1)</script>`, Kind: "workload", Sublabel: `a & b "c" 'd'`,
			Href: `/apps/x?a=1&b="2"`, DependsOn: []string{"r<1>"}},
		{ID: "r<1>", Label: "</title><script>x</script>", Href: "javascript:alert(1)"},
	}
	out := string(GraphSVG(`<b>title</b> & "more"`, nodes))
	for _, bad := range []string{"<script", "<b>", "</title><script", "javascript:", `"c"`, `="2"`} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q unescaped:\n%s", bad, out)
		}
	}
	svg := graphParse(t, out) // well-formed XML: nothing broke out of an attribute or element
	if got := svg.child("title").text(); got != `<b>title</b> & "more"` {
		t.Errorf("title reads %q", got)
	}
	labels := svg.classed("label")
	if len(labels) != 2 || labels[0].text() != graphTruncate("</title><script>x</script>", graphLabelMax) ||
		labels[1].text() != graphTruncate("<script>alert(1)</script>", graphLabelMax) {
		t.Errorf("labels read %v", labels)
	}
	if subs := svg.classed("sublabel"); len(subs) != 1 || subs[0].text() != `a & b "c" 'd'` {
		t.Errorf("sublabels read %v", subs)
	}
	var hrefs []string
	for _, a := range svg.all("a") {
		hrefs = append(hrefs, a.attr["href"])
	}
	if want := []string{"#ZgotmplZ", `/apps/x?a=1&b="2"`}; !slices.Equal(hrefs, want) {
		t.Errorf("hrefs %q, want %q", hrefs, want)
	}
}

func TestGraphSummary(t *testing.T) {
	tests := []struct {
		name, title string
		nodes       []GraphNode
		want        string
	}{
		{"shop", "shop", graphShop(), "shop: 2 workloads, 3 resources, 4 dependencies"},
		{"default title", "", graphShop(), "resource graph: 2 workloads, 3 resources, 4 dependencies"},
		{"singular", "g", []GraphNode{{ID: "w", Kind: "workload", DependsOn: []string{"r"}}, {ID: "r", Kind: "resource"}},
			"g: 1 workload, 1 resource, 1 dependency"},
		{"none", "g", []GraphNode{{ID: "r", Kind: "resource"}}, "g: 0 workloads, 1 resource, 0 dependencies"},
		{"unknown and repeated dependencies", "g", []GraphNode{{ID: "w", Kind: "workload", DependsOn: []string{"r", "gone", "r"}}, {ID: "r"}},
			"g: 1 workload, 1 resource, 1 dependency"},
		{"unknown kind is a resource", "g", []GraphNode{{ID: "x", Kind: "volume"}, {ID: "y"}}, "g: 0 workloads, 2 resources, 0 dependencies"},
		{"duplicate ids count once", "g", []GraphNode{{ID: "w", Kind: "workload"}, {ID: "w", Kind: "workload"}}, "g: 1 workload, 0 resources, 0 dependencies"},
		{"cycle", "g", graphCases()["two-cycle"], "g: 0 workloads, 2 resources, 2 dependencies, with a cycle"},
		{"escaped title", `a"b`, []GraphNode{{ID: "x"}}, `a"b: 0 workloads, 1 resource, 0 dependencies`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svg := graphParse(t, string(GraphSVG(tt.title, tt.nodes)))
			if got := svg.attr["aria-label"]; got != tt.want {
				t.Errorf("aria-label %q, want %q", got, tt.want)
			}
			wantRole := "img"
			for _, n := range tt.nodes {
				if n.Href != "" {
					wantRole = "group"
				}
			}
			if svg.attr["role"] != wantRole {
				t.Errorf("role %q, want %q", svg.attr["role"], wantRole)
			}
			wantTitle := tt.title
			if wantTitle == "" {
				wantTitle = "resource graph"
			}
			if got := svg.child("title").text(); got != wantTitle {
				t.Errorf("<title> %q, want %q", got, wantTitle)
			}
		})
	}
}

// TestGraphRole: an image when nothing is linked; a group when a node is,
// as an image's children (its links) are hidden from assistive technology.
func TestGraphRole(t *testing.T) {
	plain := []GraphNode{{ID: "w", Kind: "workload", DependsOn: []string{"r"}}, {ID: "r"}}
	if got := graphParse(t, string(GraphSVG("", plain))).attr["role"]; got != "img" {
		t.Errorf("without links: role %q, want img", got)
	}
	plain[1].Href = "/r"
	if got := graphParse(t, string(GraphSVG("", plain))).attr["role"]; got != "group" {
		t.Errorf("with a link: role %q, want group", got)
	}
}

func TestGraphEmpty(t *testing.T) {
	if got := GraphSVG("x", nil); got != "" {
		t.Errorf("nil nodes: %q", got)
	}
	if got := GraphSVG("x", []GraphNode{}); got != "" {
		t.Errorf("no nodes: %q", got)
	}
}

// TestGraphMarkup: no inline styles (the CSP forbids them), the classes
// the CSS styles, a viewBox with matching width and height, a <title> on
// every node with the full text, and truncation that keeps UTF-8 whole.
func TestGraphMarkup(t *testing.T) {
	long := strings.Repeat("é", 40)
	nodes := append(graphShop(), GraphNode{ID: "long", Label: long, Sublabel: strings.Repeat("sub ", 20)})
	out := string(GraphSVG("shop", nodes))
	if !utf8.ValidString(out) {
		t.Fatal("output is not valid UTF-8")
	}
	svg := graphParse(t, out)
	for _, e := range svg.all("") {
		if e.name == "style" || e.name == "script" || e.name == "foreignObject" {
			t.Errorf("<%s> element", e.name)
		}
		for a := range e.attr {
			if a == "style" || strings.HasPrefix(a, "on") {
				t.Errorf("<%s %s=...>", e.name, a)
			}
		}
	}
	if svg.attr["class"] != "graph" {
		t.Errorf("svg class %q", svg.attr["class"])
	}
	if want := "0 0 " + svg.attr["width"] + " " + svg.attr["height"]; svg.attr["viewBox"] != want {
		t.Errorf("viewBox %q, want %q", svg.attr["viewBox"], want)
	}
	if got := len(svg.classed("node-workload")); got != 2 {
		t.Errorf("%d node-workload, want 2", got)
	}
	if got := len(svg.classed("node-resource")); got != 4 {
		t.Errorf("%d node-resource, want 4", got)
	}
	// A node's title is its own child, or its link's when it has one
	// (the link's first child, so that it names the link).
	var titles []string
	for _, n := range svg.classed("node") {
		if title := n.child("title"); title != nil {
			titles = append(titles, title.chars)
		}
		if n.child("rect") == nil || n.child("text") == nil {
			t.Errorf("node %q without rect or text", n.child("text").text())
		}
	}
	for _, a := range svg.all("a") {
		if len(a.children) != 2 || a.children[0].name != "title" || a.children[1].child("title") != nil {
			t.Errorf("link %q: want a <title> then the node without one", a.attr["href"])
			continue
		}
		titles = append(titles, a.children[0].chars)
	}
	if len(titles) != len(nodes) {
		t.Errorf("%d node titles for %d nodes: %q", len(titles), len(nodes), titles)
	}
	if !slices.Contains(titles, "web (workload)") {
		t.Errorf("the linked node web is not titled %q: %q", "web (workload)", titles)
	}
	if !slices.Contains(titles, long+" ("+strings.Repeat("sub ", 20)+")") {
		t.Errorf("no node titled with the full label and sublabel: %q", titles)
	}
	for _, l := range svg.classed("label") {
		if n := utf8.RuneCountInString(l.text()); n > graphLabelMax {
			t.Errorf("label %q has %d runes, more than %d", l.text(), n, graphLabelMax)
		}
	}
	if got := svg.classed("label")[0].text(); got != strings.Repeat("é", graphLabelMax-1)+"…" {
		t.Errorf("long label shows %q", got)
	}
	if got := len(svg.classed("edge")); got != 4 {
		t.Errorf("%d edges, want 4", got)
	}
	marker := svg.all("marker")
	if len(marker) != 1 || marker[0].attr["id"] == "" {
		t.Fatalf("markers %v", marker)
	}
	for _, p := range svg.classed("edge") {
		if p.attr["marker-end"] != "url(#"+marker[0].attr["id"]+")" || p.attr["fill"] != "none" {
			t.Errorf("edge %q: marker-end %q fill %q", p.text(), p.attr["marker-end"], p.attr["fill"])
		}
	}
}

// TestGraphGolden compares the shop's drawing with testdata/graph/shop.svg;
// go test -run GraphGolden -update rewrites it.
func TestGraphGolden(t *testing.T) {
	got := []byte(GraphSVG("Resource graph of shop/prod", graphShop()))
	path := filepath.Join("testdata", "graph", "shop.svg")
	if *updateGraph {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("drawing differs from %s (run with -update if the change is meant):\n%s", path, got)
	}
}

func BenchmarkGraphSVG(b *testing.B) {
	nodes := graphBenchNodes(200)
	b.ReportAllocs()
	for b.Loop() {
		GraphSVG("bench", nodes)
	}
}

// graphBenchNodes is a platform-sized graph: a fifth workloads, each
// depending on a few resources and sometimes another workload; some
// resources depend on others.
func graphBenchNodes(n int) []GraphNode {
	r := rand.New(rand.NewPCG(42, 7))
	w := n / 5
	var nodes []GraphNode
	for i := range n {
		node := GraphNode{ID: fmt.Sprintf("res-%03d", i), Label: fmt.Sprintf("postgres.default#app%03d.db", i), Kind: "resource", Sublabel: "postgres.default@v1"}
		if i < w {
			node = GraphNode{ID: fmt.Sprintf("workload:%03d", i), Label: fmt.Sprintf("workload-%03d", i), Kind: "workload",
				Sublabel: "workload", Href: fmt.Sprintf("/w/%d", i)}
		}
		nodes = append(nodes, node)
	}
	for i := range nodes {
		deps := 1 + r.IntN(3)
		if i >= w && r.IntN(3) != 0 {
			deps = 0
		}
		for range deps {
			j := w + r.IntN(n-w)
			if j > i {
				nodes[i].DependsOn = append(nodes[i].DependsOn, nodes[j].ID)
			}
		}
		if i < w && i+1 < w && r.IntN(4) == 0 {
			nodes[i].DependsOn = append(nodes[i].DependsOn, nodes[i+1+r.IntN(w-i-1)].ID)
		}
	}
	return nodes
}

func graphLayoutOf(nodes []GraphNode) *graphLayout {
	g := graphBuild(nodes)
	g.breakCycles()
	g.assignLayers()
	g.makeItems()
	g.order()
	g.place()
	return g
}

func graphClone(nodes []GraphNode) []GraphNode {
	c := slices.Clone(nodes)
	for i := range c {
		c[i].DependsOn = slices.Clone(c[i].DependsOn)
	}
	return c
}

var graphNumbers = regexp.MustCompile(`-?[0-9]+(\.[0-9]+)?`)

// graphPathEnds returns the x of a path's first and last point.
func graphPathEnds(t *testing.T, d string) (float64, float64) {
	t.Helper()
	nums := graphNumbers.FindAllString(d, -1)
	if len(nums) < 4 {
		t.Fatalf("path %q", d)
	}
	x0, _ := strconv.ParseFloat(nums[0], 64)
	x1, _ := strconv.ParseFloat(nums[len(nums)-2], 64)
	return x0, x1
}

// graphElem is a parsed XML element, enough to check the SVG.
type graphElem struct {
	name     string
	attr     map[string]string
	children []*graphElem
	chars    string
}

func graphParse(t *testing.T, s string) *graphElem {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	root := &graphElem{}
	stack := []*graphElem{root}
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			t.Fatalf("not well-formed XML: %v\n%s", err, s)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &graphElem{name: tok.Name.Local, attr: map[string]string{}}
			for _, a := range tok.Attr {
				e.attr[a.Name.Local] = a.Value
			}
			top := stack[len(stack)-1]
			top.children = append(top.children, e)
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			stack[len(stack)-1].chars += string(tok)
		}
	}
	if len(root.children) != 1 || root.children[0].name != "svg" {
		t.Fatalf("not one <svg>:\n%s", s)
	}
	return root.children[0]
}

// all returns the descendants named name ("" for every one), in document order.
func (e *graphElem) all(name string) []*graphElem {
	var out []*graphElem
	for _, c := range e.children {
		if name == "" || c.name == name {
			out = append(out, c)
		}
		out = append(out, c.all(name)...)
	}
	return out
}

// classed returns the descendants with class c.
func (e *graphElem) classed(c string) []*graphElem {
	var out []*graphElem
	for _, d := range e.all("") {
		if slices.Contains(strings.Fields(d.attr["class"]), c) {
			out = append(out, d)
		}
	}
	return out
}

func (e *graphElem) child(name string) *graphElem {
	for _, c := range e.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// text is the element's own character data, or its <title>'s.
func (e *graphElem) text() string {
	if e == nil {
		return ""
	}
	if t := e.child("title"); t != nil && e.name != "text" {
		return t.chars
	}
	return e.chars
}

func (e *graphElem) String() string { return e.text() }
