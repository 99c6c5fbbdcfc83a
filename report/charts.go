package report

import (
	"math"
	"strconv"
)

// Charts are inline SVG drawn on the server: shapes with their coordinates
// computed here, written by the template. No script, no external file.

// chart is one SVG chart: a title (its accessible name), its size, the
// shapes and labels to draw and a legend.
type chart struct {
	Title         string
	Width, Height int
	Rects         []rect
	Labels        []label
	Lines         []line
	Legend        []legendItem
}

type rect struct {
	X, Y, W, H string
	Class      string
	// Tip is the shape's <title>: the figure it stands for.
	Tip string
}

type label struct {
	X, Y   string
	Anchor string // start, middle, end
	Class  string
	Text   string
}

type line struct{ X1, Y1, X2, Y2 string }

type legendItem struct{ Class, Text string }

// num writes a coordinate with one decimal at most: the same figures give
// the same bytes.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
}

// hbar is one row of a horizontal bar chart: segments side by side.
type hbar struct {
	Label    string
	Segments []segment
	// Text is written after the bar (the row's figure).
	Text string
}

type segment struct {
	Value float64
	Class string
	Tip   string
}

const (
	hbarRow    = 26
	hbarLabelW = 190
	hbarTextW  = 150
	chartWidth = 720
)

// horizontal draws rows of bars against the largest row's total.
func horizontal(title string, rows []hbar, legend []legendItem) *chart {
	c := &chart{Title: title, Width: chartWidth, Height: len(rows)*hbarRow + 10, Legend: legend}
	maxTotal := 0.0
	for _, r := range rows {
		t := 0.0
		for _, s := range r.Segments {
			t += s.Value
		}
		maxTotal = math.Max(maxTotal, t)
	}
	span := float64(chartWidth - hbarLabelW - hbarTextW)
	for i, r := range rows {
		y := float64(i*hbarRow) + 5
		c.Labels = append(c.Labels, label{X: num(hbarLabelW - 8), Y: num(y + 15), Anchor: "end", Text: r.Label})
		x := float64(hbarLabelW)
		for _, s := range r.Segments {
			w := 0.0
			if maxTotal > 0 {
				w = s.Value / maxTotal * span
			}
			if w > 0 {
				c.Rects = append(c.Rects, rect{X: num(x), Y: num(y), W: num(w), H: num(hbarRow - 8), Class: s.Class, Tip: s.Tip})
			}
			x += w
		}
		c.Labels = append(c.Labels, label{X: num(x + 6), Y: num(y + 15), Anchor: "start", Class: "figure", Text: r.Text})
	}
	return c
}

// column is one column of a vertical chart: stacked segments, a label
// under it and its figure over it.
type column struct {
	Label    string
	Segments []segment
	Text     string
}

const (
	colChartH = 180
	colBottom = 30
	colTop    = 22
)

// vertical draws columns (stacked segments) against the largest column's
// total, with a base line and the maximum marked.
func vertical(title string, cols []column, legend []legendItem) *chart {
	c := &chart{Title: title, Width: chartWidth, Height: colChartH + colBottom + colTop, Legend: legend}
	maxTotal := 0.0
	for _, col := range cols {
		t := 0.0
		for _, s := range col.Segments {
			t += s.Value
		}
		maxTotal = math.Max(maxTotal, t)
	}
	base := float64(colTop + colChartH)
	c.Lines = append(c.Lines, line{X1: "0", Y1: num(base), X2: num(chartWidth), Y2: num(base)})
	if len(cols) == 0 {
		return c
	}
	slot := float64(chartWidth) / float64(len(cols))
	w := slot * 0.6
	for i, col := range cols {
		x := float64(i)*slot + (slot-w)/2
		y := base
		for _, s := range col.Segments {
			h := 0.0
			if maxTotal > 0 {
				h = s.Value / maxTotal * colChartH
			}
			if h > 0 {
				y -= h
				c.Rects = append(c.Rects, rect{X: num(x), Y: num(y), W: num(w), H: num(h), Class: s.Class, Tip: s.Tip})
			}
		}
		mid := x + w/2
		c.Labels = append(c.Labels,
			label{X: num(mid), Y: num(y - 6), Anchor: "middle", Class: "figure", Text: col.Text},
			label{X: num(mid), Y: num(base + 18), Anchor: "middle", Text: col.Label})
	}
	return c
}
