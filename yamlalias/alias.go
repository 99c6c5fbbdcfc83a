// Package yamlalias bounds how many values YAML aliases may repeat. An
// alias (*name) or a merge key (<<: *name) stands for the whole value its
// anchor (&name) names, so a few hundred bytes of aliases of aliases expand
// to millions of values ("billion laughs"), and every reader of the
// document (a decoder, merge keys expanded by hand, a schema validator)
// does that work again. yaml.v3 refuses expansion out of proportion to one
// document (about 400,000 values from 1% of them written out), but not
// across the documents of a stream, nor when a program expands aliases
// itself by reading yaml.Node trees; a Counter bounds the expansion of a
// whole file, before anything is decoded.
package yamlalias

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Max is how many values the aliases of one file may repeat, counting
// the values of aliases inside an alias's value each time: far more than
// any hand-written file (a definition or provisioner file shares a few
// fields or a template; a template is one value), and few enough to decode
// in tens of milliseconds (a definitions file repeating 96,000: 50 ms).
const Max = 100_000

// Counter counts the values repeated by aliases in the nodes given to
// Check, across all of them (the documents of one file), so that the
// budget is the file's.
type Counter struct {
	max, repeated int
	// sizes is the expanded size of each anchored node walked; open marks
	// one still being walked (an alias inside it names its own value).
	sizes map[*yaml.Node]int
	open  map[*yaml.Node]bool
	path  []step
}

// New returns a Counter that lets aliases repeat at most max values.
func New(max int) *Counter {
	return &Counter{max: max, sizes: map[*yaml.Node]int{}, open: map[*yaml.Node]bool{}}
}

// Repeated is how many values the aliases checked so far repeat.
func (c *Counter) Repeated() int { return c.repeated }

// LimitError says where the aliases went over the limit.
type LimitError struct {
	// Path is the field of the alias that went over, from the node given
	// to Check (driver_inputs.b[3]); "" when it is that node.
	Path string
	// Line is the alias's line in the file.
	Line int
	Max  int
}

func (e *LimitError) Error() string {
	where := fmt.Sprintf("line %d", e.Line)
	if e.Path != "" {
		where = fmt.Sprintf("%s (line %d)", e.Path, e.Line)
	}
	return fmt.Sprintf("%s: the aliases (*name) and merge keys (<<: *name) of the file repeat more than %d values; a file may repeat at most %d through aliases: write the shared value out where it is needed, or alias smaller values, fewer times", where, e.Max, e.Max)
}

// CycleError is an alias inside the value it names, which no reader can
// expand.
type CycleError struct {
	Path, Anchor string
	Line         int
}

func (e *CycleError) Error() string {
	where := fmt.Sprintf("line %d", e.Line)
	if e.Path != "" {
		where = fmt.Sprintf("%s (line %d)", e.Path, e.Line)
	}
	return fmt.Sprintf("%s: the alias *%s is inside the value it names (&%s), so it never ends; alias a value from outside it", where, e.Anchor, e.Anchor)
}

// Check walks n (a document, or any node of one) once, in document order,
// without expanding anything: an alias counts the expanded size of the
// value it names, known from when that value was walked. It returns a
// *LimitError once the aliases of every node checked so far repeat more
// than the Counter's max, or a *CycleError. The walk is linear in the
// number of nodes written in the file.
func (c *Counter) Check(n *yaml.Node) error {
	c.path = c.path[:0]
	_, err := c.walk(n)
	return err
}

// step is one step of a path: a mapping's key, or a sequence's index.
type step struct {
	key   string
	index int
}

// walk returns the expanded size of n: its values, with each alias counted
// as the values it stands for.
func (c *Counter) walk(n *yaml.Node) (int, error) {
	if n == nil {
		return 0, nil
	}
	if n.Kind == yaml.AliasNode {
		target := n.Alias
		if target == nil {
			return 1, nil
		}
		if c.open[target] {
			return 0, &CycleError{Path: c.where(), Anchor: n.Value, Line: n.Line}
		}
		size, ok := c.sizes[target]
		if !ok {
			// Not walked yet (yaml.v3 defines an anchor before its
			// aliases, so this is a tree built by hand): walk it now.
			var err error
			if size, err = c.walk(target); err != nil {
				return 0, err
			}
		}
		c.repeated += size
		if c.repeated > c.max {
			return 0, &LimitError{Path: c.where(), Line: n.Line, Max: c.max}
		}
		return size, nil
	}
	if n.Anchor != "" {
		c.open[n] = true
		defer delete(c.open, n)
	}
	size := 1
	if n.Kind == yaml.DocumentNode {
		size = 0
	}
	for i, child := range n.Content {
		switch n.Kind {
		case yaml.MappingNode:
			c.path = append(c.path, step{key: n.Content[i-i%2].Value, index: -1})
		case yaml.SequenceNode:
			c.path = append(c.path, step{index: i})
		}
		s, err := c.walk(child)
		if err != nil {
			return 0, err
		}
		if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
			c.path = c.path[:len(c.path)-1]
		}
		size += s
	}
	if n.Anchor != "" {
		c.sizes[n] = size
	}
	return size, nil
}

// where writes the path walked as a field: a.b[3].c.
func (c *Counter) where() string {
	var b strings.Builder
	for _, s := range c.path {
		if s.index >= 0 {
			fmt.Fprintf(&b, "[%d]", s.index)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s.key)
	}
	return b.String()
}
