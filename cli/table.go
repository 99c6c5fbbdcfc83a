package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// maxCell is the widest a table cell gets before it is cut; -o json|yaml
// has every value whole.
const maxCell = 80

// writeTable writes t aligned. A cell never breaks the alignment: a
// multi-line value shows its first line and how many more it has, and a
// long one is cut to maxCell characters, marked with an ellipsis.
func writeTable(w io.Writer, t table) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(cells(t.header), "\t"))
	for _, r := range t.rows {
		fmt.Fprintln(tw, strings.Join(cells(r), "\t"))
	}
	_ = tw.Flush()
}

func cells(row []string) []string {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = cell(c)
	}
	return out
}

// cell makes one value fit on one line of a table.
func cell(s string) string {
	s = strings.TrimRight(s, "\r\n")
	more := ""
	if first, rest, ok := strings.Cut(s, "\n"); ok {
		s = first
		more = fmt.Sprintf(" (+%d lines)", strings.Count(rest, "\n")+1)
	}
	s = strings.NewReplacer("\t", " ", "\r", "").Replace(s)
	if utf8.RuneCountInString(s)+len(more) > maxCell {
		keep := max(maxCell-len(more)-1, 10)
		r := []rune(s)
		if len(r) > keep {
			s = string(r[:keep]) + "…"
		}
	}
	return s + more
}
