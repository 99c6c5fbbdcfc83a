package scorek8s

import (
	"fmt"
	"reflect"
	"text/template"
	"text/template/parse"
)

// CheckCalls finds the calls of funcs in a parsed template that give a
// function the wrong number of arguments, which text/template reports only
// when the call runs: a definition that calls `get MAP KEY DEFAULT` where
// get takes two would otherwise load and fail at its first deployment. A
// call in a pipeline gets the previous command's result as its last
// argument.
func CheckCalls(t *template.Template, funcs template.FuncMap) error {
	for _, tt := range t.Templates() {
		if tt.Tree == nil || tt.Tree.Root == nil {
			continue
		}
		if err := checkNode(tt.Tree, tt.Tree.Root, funcs); err != nil {
			return err
		}
	}
	return nil
}

func checkNode(tree *parse.Tree, n parse.Node, funcs template.FuncMap) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := checkNode(tree, c, funcs); err != nil {
				return err
			}
		}
	case *parse.ActionNode:
		return checkPipe(tree, n.Pipe, funcs)
	case *parse.IfNode:
		return checkBranch(tree, &n.BranchNode, funcs)
	case *parse.RangeNode:
		return checkBranch(tree, &n.BranchNode, funcs)
	case *parse.WithNode:
		return checkBranch(tree, &n.BranchNode, funcs)
	case *parse.TemplateNode:
		return checkPipe(tree, n.Pipe, funcs)
	case *parse.PipeNode:
		return checkPipe(tree, n, funcs)
	}
	return nil
}

func checkBranch(tree *parse.Tree, b *parse.BranchNode, funcs template.FuncMap) error {
	if err := checkPipe(tree, b.Pipe, funcs); err != nil {
		return err
	}
	if err := checkNode(tree, b.List, funcs); err != nil {
		return err
	}
	return checkNode(tree, b.ElseList, funcs)
}

func checkPipe(tree *parse.Tree, p *parse.PipeNode, funcs template.FuncMap) error {
	if p == nil {
		return nil
	}
	for i, cmd := range p.Cmds {
		for _, a := range cmd.Args[1:] {
			if err := checkNode(tree, a, funcs); err != nil {
				return err
			}
		}
		id, ok := cmd.Args[0].(*parse.IdentifierNode)
		if !ok {
			if err := checkNode(tree, cmd.Args[0], funcs); err != nil {
				return err
			}
			continue
		}
		fn, ok := funcs[id.Ident]
		if !ok {
			continue // a builtin (and, index, printf...): text/template checks those
		}
		given := len(cmd.Args) - 1
		if i > 0 {
			given++
		}
		ft := reflect.TypeOf(fn)
		want := ft.NumIn()
		if ft.IsVariadic() && given >= want-1 || !ft.IsVariadic() && given == want {
			continue
		}
		loc, _ := tree.ErrorContext(cmd)
		need := fmt.Sprint(want)
		if ft.IsVariadic() {
			need = fmt.Sprintf("at least %d", want-1)
		}
		return fmt.Errorf("%s: %s is given %d argument(s) but takes %s", loc, id.Ident, given, need)
	}
	return nil
}
