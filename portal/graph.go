package portal

import (
	"fmt"
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
)

// GraphNode is one node of a resource graph: a workload or a resource.
type GraphNode struct {
	ID        string   // unique, e.g. "workload:api" or "postgres.default#api.db"
	Label     string   // shown in the box (may be long: truncate to fit, full text in a <title> child for hover and screen readers)
	Kind      string   // "workload" or "resource" (styled by CSS class "node-workload" / "node-resource")
	Sublabel  string   // a second, smaller line (e.g. the definition id), may be ""
	Href      string   // optional link ("" for none): wrap the node in <a href>
	DependsOn []string // IDs this node points to (edges go from this node to those); unknown IDs are ignored
}

// Geometry of the drawing, in SVG user units (CSS pixels at scale 1).
// The truncation budgets assume the font sizes of assets/graph.css
// (13px labels, 11px sublabels, a proportional sans-serif).
const (
	graphMargin      = 24  // around the drawing; also room for self-loops
	graphNodeWidth   = 220 // every box
	graphNodeHeight  = 32  // a box without sublabels
	graphNodeHeight2 = 46  // a box when some node has a sublabel
	graphLayerGap    = 80  // horizontal space between layers, where edges run
	graphItemGap     = 16  // vertical space between items of a layer
	graphTextInset   = 10
	graphLabelMax    = 24 // runes of a label that fit a box
	graphSublabelMax = 30 // runes of a sublabel that fit a box
	graphSweeps      = 4  // barycentre sweeps (down and up) for crossings
	graphPlaceRounds = 4  // vertical placement rounds
)

// GraphSVG lays the nodes out in layers (longest-path layering: a node sits one layer right of
// the deepest node that points to it ... or any deterministic layered layout where every edge goes
// from a lower layer to a higher one), orders nodes within a layer to reduce crossings (a
// barycentre pass or two is enough), and returns an accessible SVG: role="img", an aria-label
// summarising it ("resource graph: 2 workloads, 5 resources, 6 dependencies"), a <title>,
// boxes with text, edges as paths with an arrow marker. Cycles must not hang or crash: break them
// deterministically. Empty input returns "". Output is byte-for-byte deterministic for the same
// input (sort by ID where order is not otherwise defined). No inline style attributes and no
// <style> element (the portal's CSS styles the classes; a Content-Security-Policy forbids inline
// styles): use class attributes ("graph", "node", "node-workload", "node-resource", "edge",
// "label", "sublabel") and presentation attributes (x, y, width, height, rx, fill="none" where
// needed on paths is fine). Escape all text. Give the svg a viewBox and width/height so it scales.
//
// Details beyond the contract:
//   - A Kind other than "workload" is drawn and counted as a resource; an
//     empty Label shows the ID; of nodes sharing an ID the one with the
//     smallest fields is kept, so the input's order never matters; a
//     dependency listed twice counts once.
//   - Cycles are broken by a depth-first search from the nodes nothing
//     points to, then from every node, in ID order: an edge back to a node
//     on the search's path is laid out reversed but drawn in its true
//     direction, right to left, with the extra class "edge-cycle" (a node
//     depending on itself gets a small loop with that class), and the
//     aria-label ends in ", with a cycle".
//   - An edge spanning several layers runs through a dummy point in each,
//     which takes part in the ordering, so it passes between boxes; where
//     several edges meet a side of a box they are spread along it. Nodes
//     without edges go last in their layer.
//   - The title is "resource graph" when empty. When some node has a link
//     the svg has role="group" instead of "img": an image's children are
//     presentational, so its links would be hidden from screen readers
//     (axe's nested-interactive rule); each link is then named by its
//     <title> child, the node's full text.
//   - Text and attribute values from the input are escaped with
//     template.HTMLEscapeString; an Href goes through html/template's URL
//     filter: a scheme other than http, https or mailto ("javascript:",
//     "data:") becomes "#ZgotmplZ".
func GraphSVG(title string, nodes []GraphNode) template.HTML {
	if len(nodes) == 0 {
		return ""
	}
	g := graphBuild(nodes)
	g.breakCycles()
	g.assignLayers()
	g.makeItems()
	g.order()
	g.place()
	return template.HTML(g.view(title).svg())
}

// graphEdge is a dependency: from depends on to (indexes of nodes).
type graphEdge struct {
	from, to int
	reversed bool  // a cycle's back edge: laid out from to to from
	chain    []int // items from the layout's source to its target
}

// graphItem is what occupies a slot of a layer: a node, or a dummy point
// an edge passes through when it spans several layers.
type graphItem struct {
	node     int // index of the node, -1 for a dummy
	layer    int
	pos      int     // index within the layer
	y, h     float64 // top and height
	up, down []int   // items of the previous and next layer joined to this one
}

type graphLayout struct {
	nodes  []GraphNode // sorted by ID, one per ID
	height float64     // of every box
	edges  []graphEdge // sorted by (from, to)
	loops  []int       // nodes depending on themselves
	out    [][]int     // node → indexes of edges leaving it
	layer  []int       // node → layer
	items  []graphItem // nodes first (item i is node i), then dummies
	layers [][]int     // layer → items, in order
	bary   []float64   // item → barycentre, scratch space of sortLayer
}

func graphBuild(in []GraphNode) *graphLayout {
	nodes := slices.Clone(in)
	slices.SortFunc(nodes, graphCompareNodes)
	nodes = slices.CompactFunc(nodes, func(a, b GraphNode) bool { return a.ID == b.ID })
	g := &graphLayout{nodes: nodes, height: graphNodeHeight, out: make([][]int, len(nodes))}
	index := make(map[string]int, len(nodes))
	for i, n := range nodes {
		index[n.ID] = i
		if n.Label == "" {
			nodes[i].Label = n.ID
		}
		if n.Sublabel != "" {
			g.height = graphNodeHeight2
		}
	}
	for i, n := range nodes {
		deps := slices.Clone(n.DependsOn)
		slices.Sort(deps)
		for _, d := range slices.Compact(deps) {
			j, ok := index[d]
			switch {
			case !ok:
			case j == i:
				g.loops = append(g.loops, i)
			default:
				g.out[i] = append(g.out[i], len(g.edges))
				g.edges = append(g.edges, graphEdge{from: i, to: j})
			}
		}
	}
	return g
}

// graphCompareNodes orders by ID, then by every other field, so that of
// duplicates the same one comes first whatever the input's order.
func graphCompareNodes(a, b GraphNode) int {
	if c := strings.Compare(a.ID, b.ID); c != 0 {
		return c
	}
	for _, p := range [][2]string{{a.Label, b.Label}, {a.Kind, b.Kind}, {a.Sublabel, b.Sublabel}, {a.Href, b.Href}} {
		if c := strings.Compare(p[0], p[1]); c != 0 {
			return c
		}
	}
	return slices.Compare(a.DependsOn, b.DependsOn)
}

// breakCycles marks back edges of an iterative depth-first search (no
// recursion, so a long chain cannot exhaust the stack).
func (g *graphLayout) breakCycles() {
	const (
		unseen = iota
		onPath
		done
	)
	state := make([]int, len(g.nodes))
	indegree := make([]int, len(g.nodes))
	for _, e := range g.edges {
		indegree[e.to]++
	}
	type frame struct{ node, next int }
	visit := func(root int) {
		if state[root] != unseen {
			return
		}
		state[root] = onPath
		stack := []frame{{root, 0}}
		for len(stack) > 0 {
			f := &stack[len(stack)-1]
			if f.next == len(g.out[f.node]) {
				state[f.node] = done
				stack = stack[:len(stack)-1]
				continue
			}
			e := &g.edges[g.out[f.node][f.next]]
			f.next++
			switch state[e.to] {
			case onPath:
				e.reversed = true
			case unseen:
				state[e.to] = onPath
				stack = append(stack, frame{e.to, 0})
			}
		}
	}
	for i := range g.nodes {
		if indegree[i] == 0 {
			visit(i)
		}
	}
	for i := range g.nodes {
		visit(i)
	}
}

// ends are an edge's source and target as laid out (left to right).
func (e graphEdge) ends() (int, int) {
	if e.reversed {
		return e.to, e.from
	}
	return e.from, e.to
}

// assignLayers is longest-path layering over the acyclic layout edges: a
// node sits one layer right of the deepest node pointing to it.
func (g *graphLayout) assignLayers() {
	n := len(g.nodes)
	succ := make([][]int, n)
	indegree := make([]int, n)
	for _, e := range g.edges {
		u, v := e.ends()
		succ[u] = append(succ[u], v)
		indegree[v]++
	}
	g.layer = make([]int, n)
	queue := make([]int, 0, n)
	for i := range n {
		if indegree[i] == 0 {
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, v := range succ[u] {
			g.layer[v] = max(g.layer[v], g.layer[u]+1)
			if indegree[v]--; indegree[v] == 0 {
				queue = append(queue, v)
			}
		}
	}
}

// makeItems puts nodes into their layers in ID order and threads every
// edge through one dummy item per layer it crosses.
func (g *graphLayout) makeItems() {
	depth := slices.Max(g.layer) + 1
	g.layers = make([][]int, depth)
	for i := range g.nodes {
		g.addItem(i, g.layer[i])
	}
	for k := range g.edges {
		e := &g.edges[k]
		u, v := e.ends()
		e.chain = []int{u}
		prev := u
		for l := g.layer[u] + 1; l <= g.layer[v]; l++ {
			cur := v
			if l < g.layer[v] {
				cur = g.addItem(-1, l)
			}
			g.items[prev].down = append(g.items[prev].down, cur)
			g.items[cur].up = append(g.items[cur].up, prev)
			e.chain = append(e.chain, cur)
			prev = cur
		}
	}
}

func (g *graphLayout) addItem(node, layer int) int {
	h := 0.0
	if node >= 0 {
		h = g.height
	}
	id := len(g.items)
	g.items = append(g.items, graphItem{node: node, layer: layer, pos: len(g.layers[layer]), h: h})
	g.layers[layer] = append(g.layers[layer], id)
	return id
}

// order reduces crossings with barycentre sweeps, down (by the items to
// the left) then up (by those to the right), and keeps the best order seen.
//
// Nodes without any edge are put last in their layer, in ID order, and
// stay there: they would only push connected nodes apart.
func (g *graphLayout) order() {
	for _, layer := range g.layers {
		slices.SortStableFunc(layer, func(a, b int) int { return g.isolated(a) - g.isolated(b) })
		for i, id := range layer {
			g.items[id].pos = i
		}
	}
	best := g.crossings()
	saved := g.snapshot()
	for range graphSweeps {
		if best == 0 {
			break
		}
		for l := 1; l < len(g.layers); l++ {
			g.sortLayer(l, func(it *graphItem) []int { return it.up })
		}
		for l := len(g.layers) - 2; l >= 0; l-- {
			g.sortLayer(l, func(it *graphItem) []int { return it.down })
		}
		if c := g.crossings(); c < best {
			best, saved = c, g.snapshot()
		}
	}
	g.restore(saved)
}

func (g *graphLayout) sortLayer(l int, neighbours func(*graphItem) []int) {
	layer := g.layers[l]
	if g.bary == nil {
		g.bary = make([]float64, len(g.items))
	}
	bary := g.bary
	for _, id := range layer {
		it := &g.items[id]
		ns := neighbours(it)
		if len(ns) == 0 {
			bary[id] = float64(it.pos) // nothing pulls it: it stays
			continue
		}
		sum := 0
		for _, n := range ns {
			sum += g.items[n].pos
		}
		bary[id] = float64(sum) / float64(len(ns))
	}
	slices.SortStableFunc(layer, func(a, b int) int {
		if c := g.isolated(a) - g.isolated(b); c != 0 {
			return c
		}
		switch ba, bb := bary[a], bary[b]; {
		case ba < bb:
			return -1
		case ba > bb:
			return 1
		}
		return 0
	})
	for i, id := range layer {
		g.items[id].pos = i
	}
}

// isolated is 1 for an item without edges, else 0.
func (g *graphLayout) isolated(id int) int {
	if it := &g.items[id]; len(it.up) == 0 && len(it.down) == 0 {
		return 1
	}
	return 0
}

// crossings counts pairs of segments that cross between adjacent layers.
func (g *graphLayout) crossings() int {
	count := 0
	type seg struct{ a, b int }
	for l := 0; l+1 < len(g.layers); l++ {
		var segs []seg
		for _, id := range g.layers[l] {
			for _, d := range g.items[id].down {
				segs = append(segs, seg{g.items[id].pos, g.items[d].pos})
			}
		}
		for i := range segs {
			for j := i + 1; j < len(segs); j++ {
				if (segs[i].a-segs[j].a)*(segs[i].b-segs[j].b) < 0 {
					count++
				}
			}
		}
	}
	return count
}

func (g *graphLayout) snapshot() [][]int {
	s := make([][]int, len(g.layers))
	for l, layer := range g.layers {
		s[l] = slices.Clone(layer)
	}
	return s
}

func (g *graphLayout) restore(s [][]int) {
	g.layers = s
	for _, layer := range s {
		for i, id := range layer {
			g.items[id].pos = i
		}
	}
}

// place sets the items' vertical positions: each layer is stacked in its
// order, then moved, keeping order and gaps, as close as it can be (least
// squares) to the centres of the items it is joined to, in rounds of
// sweeps right, left and finally both ways.
func (g *graphLayout) place() {
	for _, layer := range g.layers {
		y := 0.0
		for _, id := range layer {
			g.items[id].y = y
			y += g.items[id].h + graphItemGap
		}
	}
	up := func(it *graphItem) []int { return it.up }
	down := func(it *graphItem) []int { return it.down }
	both := func(it *graphItem) []int { return append(slices.Clip(it.up), it.down...) }
	for range graphPlaceRounds {
		for l := 1; l < len(g.layers); l++ {
			g.align(l, up)
		}
		for l := len(g.layers) - 2; l >= 0; l-- {
			g.align(l, down)
		}
	}
	for l := range g.layers {
		g.align(l, both)
	}
	top := math.Inf(1)
	for _, it := range g.items {
		top = min(top, it.y)
	}
	for i := range g.items {
		g.items[i].y = math.Round(g.items[i].y - top + graphMargin)
	}
}

// align moves layer l towards the mean centre of each item's neighbours:
// isotonic regression by pool-adjacent-violators on z = y - (the room the
// items before need), which keeps the order and the gaps.
func (g *graphLayout) align(l int, neighbours func(*graphItem) []int) {
	layer := g.layers[l]
	type block struct {
		sum   float64
		count int
	}
	offset := make([]float64, len(layer))
	blocks := make([]block, 0, len(layer))
	run := 0.0
	for i, id := range layer {
		it := &g.items[id]
		offset[i] = run
		run += it.h + graphItemGap
		want := it.y
		if ns := neighbours(it); len(ns) > 0 {
			c := 0.0
			for _, n := range ns {
				c += g.items[n].y + g.items[n].h/2
			}
			want = c/float64(len(ns)) - it.h/2
		}
		blocks = append(blocks, block{want - offset[i], 1})
		for len(blocks) > 1 {
			a, b := blocks[len(blocks)-2], blocks[len(blocks)-1]
			if a.sum/float64(a.count) <= b.sum/float64(b.count) {
				break
			}
			blocks = append(blocks[:len(blocks)-2], block{a.sum + b.sum, a.count + b.count})
		}
	}
	i := 0
	for _, b := range blocks {
		z := b.sum / float64(b.count)
		for range b.count {
			g.items[layer[i]].y = z + offset[i]
			i++
		}
	}
}

// The view: what svg prints, every number already formatted.

type graphView struct {
	Title, Summary      string
	Width, Height       int
	Marker, CycleMarker string
	HasCycle            bool
	Edges               []graphEdgeView
	Nodes               []graphNodeView
}

type graphEdgeView struct {
	Class, D, Marker, Title string
}

type graphNodeView struct {
	Class, Href, Title  string
	X, Y, W, H          int
	Label, Sublabel     string
	TextX, LabelY, SubY int
}

func (g *graphLayout) view(title string) graphView {
	if title == "" {
		title = "resource graph"
	}
	v := graphView{Title: title}
	depth := len(g.layers)
	v.Width = 2*graphMargin + depth*graphNodeWidth + (depth-1)*graphLayerGap
	bottom := 0.0
	for _, it := range g.items {
		bottom = max(bottom, it.y+it.h)
	}
	v.Height = int(bottom) + graphMargin

	// A marker id for this drawing: a hash of what it shows, so that two
	// different graphs on one page do not share ids by accident.
	hash := graphHash(title)
	workloads := 0
	for _, n := range g.nodes {
		hash = graphHashMore(hash, n.ID)
		if n.Kind == "workload" {
			workloads++
		}
	}
	for _, e := range g.edges {
		hash = graphHashMore(graphHashMore(hash, g.nodes[e.from].ID), g.nodes[e.to].ID)
	}
	v.Marker = fmt.Sprintf("graph-arrow-%08x", hash)
	v.CycleMarker = v.Marker + "-cycle"

	ports := g.ports()
	for k, e := range g.edges {
		pts := ports[k]
		ev := graphEdgeView{Class: "edge", Marker: v.Marker,
			Title: g.nodes[e.from].Label + " depends on " + g.nodes[e.to].Label}
		if e.reversed {
			slices.Reverse(pts)
			ev.Class, ev.Marker, v.HasCycle = "edge edge-cycle", v.CycleMarker, true
		}
		ev.D = graphPath(pts)
		v.Edges = append(v.Edges, ev)
	}
	for _, i := range g.loops {
		it := g.items[i]
		x := g.x(it.layer) + graphNodeWidth
		c := it.y + it.h/2
		ev := graphEdgeView{Class: "edge edge-cycle", Marker: v.CycleMarker,
			Title: g.nodes[i].Label + " depends on itself",
			D: fmt.Sprintf("M%s,%s C%s,%s %s,%s %s,%s", graphNum(x), graphNum(c-6),
				graphNum(x+20), graphNum(c-18), graphNum(x+20), graphNum(c+18), graphNum(x), graphNum(c+6))}
		v.HasCycle = true
		v.Edges = append(v.Edges, ev)
	}

	for i, n := range g.nodes {
		it := g.items[i]
		nv := graphNodeView{
			Class: "node node-resource", Href: n.Href, Title: n.Label,
			X: int(g.x(it.layer)), Y: int(it.y), W: graphNodeWidth, H: int(it.h),
			Label: graphTruncate(n.Label, graphLabelMax), Sublabel: graphTruncate(n.Sublabel, graphSublabelMax),
		}
		if n.Kind == "workload" {
			nv.Class = "node node-workload"
		}
		if n.Sublabel != "" {
			nv.Title += " (" + n.Sublabel + ")"
		}
		nv.TextX = nv.X + graphTextInset
		if n.Sublabel != "" {
			nv.LabelY, nv.SubY = nv.Y+19, nv.Y+36
		} else {
			nv.LabelY = nv.Y + nv.H/2 + 5
		}
		v.Nodes = append(v.Nodes, nv)
	}

	deps := len(g.edges) + len(g.loops)
	v.Summary = fmt.Sprintf("%s: %s, %s, %s", title,
		graphCount(workloads, "workload", "workloads"),
		graphCount(len(g.nodes)-workloads, "resource", "resources"),
		graphCount(deps, "dependency", "dependencies"))
	if v.HasCycle {
		v.Summary += ", with a cycle"
	}
	return v
}

// x is the left of a layer's column.
func (g *graphLayout) x(layer int) float64 {
	return float64(graphMargin + layer*(graphNodeWidth+graphLayerGap))
}

type graphPoint struct{ x, y float64 }

// ports returns every edge's points, left to right: the source's right
// side, two points per dummy (the column's left and right) and the target's
// left side. Where several edges leave or enter a side they are spread over
// it, ordered by the height of their other end, so they do not all meet.
func (g *graphLayout) ports() [][]graphPoint {
	type end struct {
		edge  int
		other float64 // centre of the next (or previous) item on the chain
	}
	outs := make([][]end, len(g.nodes))
	ins := make([][]end, len(g.nodes))
	centre := func(id int) float64 { return g.items[id].y + g.items[id].h/2 }
	for k, e := range g.edges {
		c := e.chain
		outs[c[0]] = append(outs[c[0]], end{k, centre(c[1])})
		ins[c[len(c)-1]] = append(ins[c[len(c)-1]], end{k, centre(c[len(c)-2])})
	}
	start := make([]float64, len(g.edges))
	finish := make([]float64, len(g.edges))
	spread := func(node int, ends []end, into []float64) {
		slices.SortStableFunc(ends, func(a, b end) int {
			switch {
			case a.other < b.other:
				return -1
			case a.other > b.other:
				return 1
			}
			return a.edge - b.edge
		})
		it := g.items[node]
		for i, e := range ends {
			into[e.edge] = it.y + it.h*float64(i+1)/float64(len(ends)+1)
		}
	}
	for i := range g.nodes {
		spread(i, outs[i], start)
		spread(i, ins[i], finish)
	}
	pts := make([][]graphPoint, len(g.edges))
	for k, e := range g.edges {
		c := e.chain
		first, last := g.items[c[0]], g.items[c[len(c)-1]]
		p := []graphPoint{{g.x(first.layer) + graphNodeWidth, start[k]}}
		for _, id := range c[1 : len(c)-1] {
			it := g.items[id]
			p = append(p, graphPoint{g.x(it.layer), it.y}, graphPoint{g.x(it.layer) + graphNodeWidth, it.y})
		}
		pts[k] = append(p, graphPoint{g.x(last.layer), finish[k]})
	}
	return pts
}

// graphPath joins the points with horizontal-tangent cubic curves (a
// straight line where both ends are level).
func graphPath(p []graphPoint) string {
	var b strings.Builder
	b.Grow(32 * len(p))
	pt := func(x, y float64) {
		b.WriteString(graphNum(x))
		b.WriteByte(',')
		b.WriteString(graphNum(y))
	}
	b.WriteByte('M')
	pt(p[0].x, p[0].y)
	for i := 1; i < len(p); i++ {
		a, z := p[i-1], p[i]
		if a.y == z.y {
			b.WriteString(" L")
			pt(z.x, z.y)
			continue
		}
		mid := (a.x + z.x) / 2
		b.WriteString(" C")
		pt(mid, a.y)
		b.WriteByte(' ')
		pt(mid, z.y)
		b.WriteByte(' ')
		pt(z.x, z.y)
	}
	return b.String()
}

// graphNum prints a coordinate with at most one decimal.
func graphNum(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s
}

// graphTruncate shortens s to at most n runes, ending in an ellipsis.
func graphTruncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimRight(string(r[:n-1]), " ") + "…"
}

func graphCount(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// FNV-1a, 32 bits.
func graphHash(s string) uint32 { return graphHashMore(2166136261, s) }

func graphHashMore(h uint32, s string) uint32 {
	for i := 0; i < len(s); i++ {
		h ^= uint32(s[i])
		h *= 16777619
	}
	h ^= 0xff // a separator, so "ab","c" and "a","bc" differ
	h *= 16777619
	return h
}

// svg writes the drawing. It is written by hand rather than by a
// template, about three times faster, with every string from the input through
// graphEscape (numbers are ints or graphNum's digits).
func (v graphView) svg() string {
	var b strings.Builder
	b.Grow(512 + 400*len(v.Nodes) + 250*len(v.Edges))
	esc := graphEscape
	// role="img" makes the children presentational, which hides links
	// from assistive technology (axe: nested-interactive); with links the
	// svg is a named group whose links are named by their <title>.
	role := "img"
	for _, n := range v.Nodes {
		if n.Href != "" {
			role = "group"
			break
		}
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="graph" role="%s" aria-label="%s" viewBox="0 0 %d %d" width="%d" height="%d">`+"\n",
		role, esc(v.Summary), v.Width, v.Height, v.Width, v.Height)
	fmt.Fprintf(&b, "<title>%s</title>\n<defs>\n", esc(v.Title))
	marker := func(id, class string) {
		fmt.Fprintf(&b, `<marker id="%s" class="%s" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker>`+"\n", id, class)
	}
	marker(v.Marker, "arrow")
	if v.HasCycle {
		marker(v.CycleMarker, "arrow arrow-cycle")
	}
	b.WriteString("</defs>\n<g class=\"edges\">\n")
	for _, e := range v.Edges {
		fmt.Fprintf(&b, `<path class="%s" d="%s" fill="none" marker-end="url(#%s)"><title>%s</title></path>`+"\n",
			e.Class, e.D, e.Marker, esc(e.Title))
	}
	b.WriteString("</g>\n<g class=\"nodes\">\n")
	for _, n := range v.Nodes {
		title := "<title>" + esc(n.Title) + "</title>"
		if n.Href != "" {
			// The title is the link's own child: it names the link.
			fmt.Fprintf(&b, `<a href="%s">%s`, esc(graphURL(n.Href)), title)
			title = ""
		}
		fmt.Fprintf(&b, `<g class="%s">%s<rect x="%d" y="%d" width="%d" height="%d" rx="6"/><text class="label" x="%d" y="%d">%s</text>`,
			n.Class, title, n.X, n.Y, n.W, n.H, n.TextX, n.LabelY, esc(n.Label))
		if n.Sublabel != "" {
			fmt.Fprintf(&b, `<text class="sublabel" x="%d" y="%d">%s</text>`, n.TextX, n.SubY, esc(n.Sublabel))
		}
		b.WriteString("</g>")
		if n.Href != "" {
			b.WriteString("</a>")
		}
		b.WriteString("\n")
	}
	b.WriteString("</g>\n</svg>\n")
	return b.String()
}

// graphEscape escapes text for an element's content or a quoted
// attribute: <, >, &, ' and " (and NUL) as html/template does.
func graphEscape(s string) string { return template.HTMLEscapeString(s) }

// graphURL is html/template's URL filter: a URL with a scheme other than
// http, https or mailto is replaced by "#ZgotmplZ".
func graphURL(u string) string {
	if scheme, _, ok := strings.Cut(u, ":"); ok && !strings.Contains(scheme, "/") {
		if !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
			return "#ZgotmplZ"
		}
	}
	return u
}
