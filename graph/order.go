package graph

import (
	"maps"
	"slices"
	"strings"

	"paved.dev/paved"
)

// order sorts the nodes so that dependencies come first (Kahn's algorithm,
// ready nodes taken in UID order), or names a cycle.
func (g *Graph) order() error {
	uids := slices.Sorted(maps.Keys(g.byUID))
	if cycle := g.findCycle(uids); cycle != nil {
		parts := make([]string, len(cycle))
		for i, u := range cycle {
			parts[i] = string(u)
		}
		return paved.Errorf(paved.EINVALID, "the resources' params form a cycle: %s; a resource cannot depend on its own outputs", strings.Join(parts, " → "))
	}
	level := map[paved.ResourceUID]int{}
	var depth func(u paved.ResourceUID) int
	depth = func(u paved.ResourceUID) int {
		if l, ok := level[u]; ok {
			return l
		}
		l := 0
		for _, d := range g.byUID[u].Deps {
			l = max(l, depth(d)+1)
		}
		level[u] = l
		return l
	}
	g.Nodes = make([]*Node, 0, len(uids))
	for _, u := range uids {
		depth(u)
		g.Nodes = append(g.Nodes, g.byUID[u])
	}
	slices.SortStableFunc(g.Nodes, func(a, b *Node) int { return level[a.UID] - level[b.UID] })
	g.levels = g.levels[:0]
	for i, n := range g.Nodes {
		if i == 0 || level[n.UID] != level[g.Nodes[i-1].UID] {
			g.levels = append(g.levels, i)
		}
	}
	return nil
}

// findCycle returns a dependency cycle as a path that ends where it starts.
func (g *Graph) findCycle(uids []paved.ResourceUID) []paved.ResourceUID {
	const (
		unseen = iota
		active
		done
	)
	state := map[paved.ResourceUID]int{}
	var stack []paved.ResourceUID
	var cycle []paved.ResourceUID
	var visit func(u paved.ResourceUID) bool
	visit = func(u paved.ResourceUID) bool {
		state[u] = active
		stack = append(stack, u)
		for _, d := range g.byUID[u].Deps {
			switch state[d] {
			case active:
				i := slices.Index(stack, d)
				cycle = append(slices.Clone(stack[i:]), d)
				return true
			case unseen:
				if visit(d) {
					return true
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[u] = done
		return false
	}
	for _, u := range uids {
		if state[u] == unseen && visit(u) {
			return cycle
		}
	}
	return nil
}
