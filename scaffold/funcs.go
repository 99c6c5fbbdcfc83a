package scaffold

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"text/template"

	"paved.dev/paved/scorek8s"
)

// funcs is the function library a rendering's templates see: the template
// driver's (scorek8s.Funcs: sprig's hermetic functions, nothing that reads
// the server's environment, files, network or clock, nothing random, so
// the same input renders the same bytes), with text/template's printf,
// print and println. Every function is wrapped: it spends a step, checks
// the deadline and refuses a result larger than the value limit; those
// that make much from little (until, seq, repeat, indent, replace, ...)
// check their arguments before they run.
func (b *budget) funcs() template.FuncMap {
	if b.lib != nil {
		return b.lib // the same for every file of the rendering
	}
	lib := scorek8s.Funcs()
	lib["printf"], lib["print"], lib["println"] = fmt.Sprintf, fmt.Sprint, fmt.Sprintln
	pre := b.prechecks()
	out := template.FuncMap{}
	for name, fn := range lib {
		out[name] = b.guard(fn, pre[name])
	}
	out[stepFunc] = func() (string, error) { return "", b.step(1) }
	b.lib = out
	return out
}

// guard wraps fn: a step and the deadline before it, pre's check of its
// arguments, the value limit on its result. A limit reached panics with
// the error, which text/template returns as the call's error (functions
// without an error result have no other way to fail).
func (b *budget) guard(fn any, pre func(args []reflect.Value) error) any {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func {
		return fn
	}
	t := v.Type()
	return reflect.MakeFunc(t, func(args []reflect.Value) []reflect.Value {
		if err := b.step(1); err != nil {
			panic(err)
		}
		if pre != nil {
			if err := pre(args); err != nil {
				panic(err)
			}
		}
		var out []reflect.Value
		if t.IsVariadic() {
			out = v.CallSlice(args)
		} else {
			out = v.Call(args)
		}
		if len(out) > 0 {
			if err := b.checkValue(out[0]); err != nil {
				panic(err)
			}
		}
		return out
	}).Interface()
}

// prechecks are the argument checks of the functions whose result can be
// far larger than their arguments, or whose work grows with the square of
// them.
func (b *budget) prechecks() map[string]func([]reflect.Value) error {
	count := func(start, stop, step int64) float64 {
		if step == 0 {
			return 0
		}
		return math.Abs(float64(stop)-float64(start)) / math.Abs(float64(step))
	}
	list := func(n float64) error {
		if n > float64(b.lim.Value) {
			return b.tooLarge(n)
		}
		return b.step(int(n))
	}
	str := func(n float64) error {
		if n > float64(b.lim.Value) {
			return b.tooLarge(n)
		}
		return nil
	}
	// work bounds a quadratic function's comparisons.
	work := func(n float64) error {
		if n > 100*float64(b.lim.Steps) {
			return &budgetError{fmt.Sprintf("%.0f comparisons asked; at most %d: give a shorter list", n, 100*b.lim.Steps)}
		}
		return nil
	}
	length := func(v reflect.Value) float64 {
		for v.Kind() == reflect.Interface && !v.IsNil() {
			v = v.Elem()
		}
		if v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
			return float64(v.Len())
		}
		return 0
	}
	regex := func(a []reflect.Value) error {
		s, repl := float64(a[1].Len()), a[2].String()
		return str(s + (s+1)*(float64(len(repl))+float64(strings.Count(repl, "$"))*s))
	}
	regexLiteral := func(a []reflect.Value) error {
		s := float64(a[1].Len())
		return str(s + (s+1)*float64(a[2].Len()))
	}
	indent := func(a []reflect.Value) error {
		n, s := a[0].Int(), a[1].String()
		if n < 0 {
			return &budgetError{fmt.Sprintf("indent by %d: give a number of spaces from 0", n)}
		}
		return str(float64(len(s)) + float64(n)*float64(strings.Count(s, "\n")+1))
	}
	uniq := func(a []reflect.Value) error { n := length(a[0]); return work(n * n) }
	without := func(a []reflect.Value) error { return work(length(a[0]) * float64(a[1].Len())) }
	return map[string]func([]reflect.Value) error{
		"until": func(a []reflect.Value) error { return list(math.Abs(float64(a[0].Int()))) },
		"untilStep": func(a []reflect.Value) error {
			return list(count(a[0].Int(), a[1].Int(), a[2].Int()))
		},
		"seq": func(a []reflect.Value) error {
			p := a[0]
			switch p.Len() {
			case 1:
				return list(count(1, p.Index(0).Int(), 1) + 1)
			case 2:
				return list(count(p.Index(0).Int(), p.Index(1).Int(), 1) + 1)
			case 3:
				return list(count(p.Index(0).Int(), p.Index(2).Int(), p.Index(1).Int()) + 1)
			}
			return nil
		},
		"repeat": func(a []reflect.Value) error {
			n := a[0].Int()
			if n < 0 {
				return &budgetError{fmt.Sprintf("repeat %d times: give a count from 0", n)}
			}
			return str(float64(n) * float64(a[1].Len()))
		},
		"indent":  indent,
		"nindent": indent,
		"replace": func(a []reflect.Value) error {
			old, repl, src := a[0].String(), a[1].String(), a[2].String()
			if len(repl) <= len(old) {
				return nil
			}
			return str(float64(len(src)) + float64(strings.Count(src, old))*float64(len(repl)-len(old)))
		},
		"regexReplaceAll":            regex,
		"mustRegexReplaceAll":        regex,
		"regexReplaceAllLiteral":     regexLiteral,
		"mustRegexReplaceAllLiteral": regexLiteral,
		"uniq":                       uniq,
		"mustUniq":                   uniq,
		"without":                    without,
		"mustWithout":                without,
	}
}

func (b *budget) tooLarge(n float64) error {
	return &budgetError{fmt.Sprintf("a value of %.0f bytes or elements asked; at most %d", n, b.lim.Value)}
}

// checkValue refuses a value larger than the value limit, counting
// strings' bytes and lists' and maps' elements all the way down (a list
// holding the same list twice counts it twice: printing it prints it
// twice), and a value that holds itself (set $d "k" $d), which printing
// would never finish.
func (b *budget) checkValue(v reflect.Value) error {
	s := sizer{limit: b.lim.Value, memo: map[sizeKey]int{}, open: map[sizeKey]bool{}}
	n, err := s.size(v, 0)
	if err != nil {
		return err
	}
	if n > b.lim.Value {
		return b.tooLarge(float64(n))
	}
	return nil
}

type sizeKey struct {
	ptr uintptr
	len int
}

type sizer struct {
	limit int
	memo  map[sizeKey]int
	open  map[sizeKey]bool
}

// maxDepth bounds how deep values nest.
const maxDepth = 100

func (s *sizer) size(v reflect.Value, depth int) (int, error) {
	if depth > maxDepth {
		return 0, &budgetError{fmt.Sprintf("a value nested more than %d deep", maxDepth)}
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return 1, nil
		}
		return s.size(v.Elem(), depth+1)
	case reflect.String:
		return v.Len(), nil
	case reflect.Slice, reflect.Map:
		if v.IsNil() {
			return 1, nil
		}
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Len(), nil
		}
		k := sizeKey{v.Pointer(), v.Len()}
		if n, ok := s.memo[k]; ok {
			return n, nil
		}
		if s.open[k] {
			return 0, &budgetError{"a value that contains itself"}
		}
		s.open[k] = true
		n, err := s.elems(v, depth)
		delete(s.open, k)
		if err != nil {
			return 0, err
		}
		s.memo[k] = n
		return n, nil
	case reflect.Array:
		return s.elems(v, depth)
	}
	return 1, nil
}

func (s *sizer) elems(v reflect.Value, depth int) (int, error) {
	n := 1
	add := func(x reflect.Value) error {
		m, err := s.size(x, depth+1)
		if err != nil {
			return err
		}
		if n += 1 + m; n > s.limit {
			return &budgetError{fmt.Sprintf("a value of more than %d bytes or elements; at most %d", s.limit, s.limit)}
		}
		return nil
	}
	if v.Kind() == reflect.Map {
		it := v.MapRange()
		for it.Next() {
			if err := add(it.Key()); err != nil {
				return 0, err
			}
			if err := add(it.Value()); err != nil {
				return 0, err
			}
		}
		return n, nil
	}
	for i := range v.Len() {
		if err := add(v.Index(i)); err != nil {
			return 0, err
		}
	}
	return n, nil
}
