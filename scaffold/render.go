package scaffold

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"

	"paved.dev/paved"
)

// tmplSuffix marks a file rendered as a Go template (the suffix dropped);
// other files are copied as they are, so that CI files full of ${{ }} need
// no escaping.
const tmplSuffix = ".tmpl"

// outputPath is where a template's file is written.
func outputPath(p string) string { return strings.TrimSuffix(p, tmplSuffix) }

func parseFile(f paved.TemplateFile) (*template.Template, error) {
	tpl, err := template.New(f.Path).Funcs(sprig.TxtFuncMap()).Option("missingkey=error").Parse(f.Content)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: %s", f.Path, strings.TrimPrefix(err.Error(), "template: "))
	}
	return tpl, nil
}

// Data is what a template's files see: .Name (the app), .Team,
// .Template, .Version and .Params.
type Data struct {
	Name, Team        string
	Template, Version string
	Params            map[string]any
}

// maxRendered bounds one rendered file.
const maxRendered = 4 << 20

// Render checks the request's parameters against the template's schema and
// renders every file, by path. The same template and parameters give the
// same bytes.
func Render(t *paved.Template, req *paved.RenderRequest) (*paved.Rendering, error) {
	if err := paved.ValidateName("name", req.Name); err != nil {
		return nil, err
	}
	if err := paved.ValidateName("team", req.Team); err != nil {
		return nil, err
	}
	params, err := Params(t, req.Params)
	if err != nil {
		return nil, err
	}
	data := Data{Name: req.Name, Team: req.Team, Template: t.Name, Version: t.Version, Params: params}
	out := &paved.Rendering{Template: t.Name, Version: t.Version, Name: req.Name, Team: req.Team, Params: maps.Clone(params)}
	for _, f := range t.Files {
		rf := paved.TemplateFile{Path: outputPath(f.Path), Content: f.Content, Executable: f.Executable}
		if rf.Path != f.Path {
			tpl, err := parseFile(f)
			if err != nil {
				return nil, err
			}
			var b bytes.Buffer
			if err := tpl.Execute(&limited{w: &b, n: maxRendered}, data); err != nil {
				return nil, paved.Errorf(paved.EINVALID, "%s (template %s %s): %s", f.Path, t.Name, t.Version, strings.TrimPrefix(err.Error(), "template: "))
			}
			rf.Content = b.String()
		}
		out.Files = append(out.Files, rf)
	}
	slices.SortFunc(out.Files, func(a, b paved.TemplateFile) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// limited fails a write past n bytes: a template that loops cannot fill
// the server's memory.
type limited struct {
	w *bytes.Buffer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if l.w.Len()+len(p) > l.n {
		return 0, fmt.Errorf("the rendered file is larger than %d bytes", l.n)
	}
	return l.w.Write(p)
}
