package scaffold

import (
	"text/template"
	"text/template/parse"
)

// stepFunc is the function instrument calls once per loop iteration and
// once per template call.
const stepFunc = "pavedStep"

// instrument makes every range iteration and every template's (a define's,
// a block's) start spend a step: a loop that calls no function and writes
// nothing ({{range 2000000000}}{{end}}) still meets the step limit and the
// deadline. The step writes nothing.
func instrument(tpl *template.Template) error {
	probe, err := template.New("step").Funcs(template.FuncMap{stepFunc: func() string { return "" }}).Parse("{{" + stepFunc + "}}")
	if err != nil {
		return err
	}
	step := probe.Tree.Root.Nodes[0]
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.IfNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.List)
			walk(n.ElseList)
			n.List.Nodes = append([]parse.Node{step}, n.List.Nodes...)
		}
	}
	for _, t := range tpl.Templates() {
		if t.Tree == nil || t.Tree.Root == nil {
			continue
		}
		walk(t.Tree.Root)
		t.Tree.Root.Nodes = append([]parse.Node{step}, t.Tree.Root.Nodes...)
	}
	return nil
}
