package scaffold

import (
	"bytes"
	"errors"
	"maps"
	"slices"
	"strings"
	"text/template"

	"paved.dev/paved"
)

// tmplSuffix marks a file rendered as a Go template (the suffix dropped);
// other files are copied as they are, so that CI files full of ${{ }} need
// no escaping.
const tmplSuffix = ".tmpl"

// outputPath is where a template's file is written.
func outputPath(p string) string { return strings.TrimSuffix(p, tmplSuffix) }

// parseFile parses a .tmpl file with a rendering's function library and
// instruments it to spend the rendering's steps.
func parseFile(f paved.TemplateFile, b *budget) (*template.Template, error) {
	tpl, err := template.New(f.Path).Funcs(b.funcs()).Option("missingkey=error").Parse(f.Content)
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "%s: %s", f.Path, strings.TrimPrefix(err.Error(), "template: "))
	}
	if err := instrument(tpl); err != nil {
		return nil, err
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

// Render checks the request's parameters against the template's schema and
// renders every file, by path, within the limits of one rendering
// (defaultLimits). The same template and parameters give the same bytes.
func Render(t *paved.Template, req *paved.RenderRequest) (*paved.Rendering, error) {
	return render(t, req, defaultLimits())
}

func render(t *paved.Template, req *paved.RenderRequest, lim limits) (*paved.Rendering, error) {
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
	out := &paved.Rendering{Template: t.Name, Version: t.Version, Name: req.Name, Team: req.Team, Params: params, Given: slices.Sorted(maps.Keys(req.Params))}
	if out.Given == nil {
		out.Given = []string{}
	}
	b := newBudget(lim)
	for _, f := range t.Files {
		rf := paved.TemplateFile{Path: outputPath(f.Path), Content: f.Content, Executable: f.Executable}
		if rf.Path != f.Path {
			if err := checkPath(rf.Path); err != nil {
				return nil, err
			}
			tpl, err := parseFile(f, b)
			if err != nil {
				return nil, err
			}
			// Each file sees its own copy of the parameters: a file that
			// changes them (sprig's set) changes neither the next file nor
			// the record.
			data := Data{Name: req.Name, Team: req.Team, Template: t.Name, Version: t.Version, Params: copyParams(params)}
			var buf bytes.Buffer
			if err := tpl.Execute(&limited{w: &buf, b: b}, data); err != nil {
				if errors.Is(err, errBudget) {
					var be *budgetError
					errors.As(err, &be)
					return nil, limitError(t, f.Path, be)
				}
				return nil, paved.Errorf(paved.EINVALID, "%s (template %s %s): %s", f.Path, t.Name, t.Version, strings.TrimPrefix(err.Error(), "template: "))
			}
			rf.Content = buf.String()
		}
		out.Files = append(out.Files, rf)
	}
	slices.SortFunc(out.Files, func(a, b paved.TemplateFile) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}
