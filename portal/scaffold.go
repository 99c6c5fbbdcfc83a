package portal

import (
	"archive/zip"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"paved.dev/paved"
	"paved.dev/paved/scaffold"
)

// The new-service page: a golden path chosen, a form generated from its
// parameters' JSON Schema, the scaffold made through the same service as
// paved new, and the repository offered as a .zip (a Git repository with
// its initial commit, as paved new writes it).

type field struct {
	scaffold.Property
	ID    string // the form field: param.NAME
	Value string
	Enums []string
}

type newPage struct {
	Templates []paved.Template
	Template  *paved.Template
	Fields    []field
	Teams     []string
	Name      string
	Team      string
	Result    *paved.ScaffoldResult
	Saved     string // the result's time saved, as 8h0m0s
	Problem   string
}

func (newPage) title() string { return "New service" }

func (p *Portal) newForm(rq *request) error {
	return p.showNew(rq, http.StatusOK, rq.r.URL.Query().Get("template"), nil, newPage{})
}

func (p *Portal) showNew(rq *request, status int, name string, values map[string]string, page newPage) error {
	ts, err := p.svc.Templates.ListTemplates(rq.ctx)
	if err != nil {
		return err
	}
	page.Templates = ts
	if rq.user.Role == paved.RoleAdmin {
		teams, err := p.svc.Teams.ListTeams(rq.ctx)
		if err != nil {
			return err
		}
		for _, t := range teams {
			page.Teams = append(page.Teams, t.Name)
		}
	} else if rq.user.Role == paved.RoleDeveloper {
		page.Teams = rq.user.Teams
	}
	if name != "" {
		t, err := p.svc.Templates.GetTemplate(rq.ctx, name, "")
		if err != nil {
			return err
		}
		page.Template = t
		props, err := scaffold.Properties(t)
		if err != nil {
			return err
		}
		for _, pr := range props {
			f := field{Property: pr, ID: "param." + pr.Name, Value: fmt.Sprint(orEmpty(pr.Default))}
			if v, ok := values[pr.Name]; ok {
				f.Value = v
			}
			for _, e := range pr.Enum {
				f.Enums = append(f.Enums, fmt.Sprint(e))
			}
			page.Fields = append(page.Fields, f)
		}
	}
	p.render(rq.w, rq.r, rq, status, "new", page)
	return nil
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}

// formParams reads the param.NAME fields; an unchecked checkbox sends
// nothing, which is false.
func formParams(r *http.Request, t *paved.Template) (map[string]string, error) {
	props, err := scaffold.Properties(t)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, pr := range props {
		v, sent := r.PostForm["param."+pr.Name]
		switch {
		case pr.Type == "boolean":
			out[pr.Name] = fmt.Sprint(sent && len(v) > 0 && v[0] == "true")
		case sent && len(v) > 0 && (v[0] != "" || pr.Type == "string" && pr.Default == nil):
			out[pr.Name] = v[0]
		}
	}
	return out, nil
}

func (p *Portal) newService(rq *request) error {
	f := rq.r.PostForm
	name := f.Get("template")
	t, err := p.svc.Templates.GetTemplate(rq.ctx, name, "")
	if err != nil {
		return err
	}
	page := newPage{Name: f.Get("name"), Team: f.Get("team")}
	kvs, err := formParams(rq.r, t)
	if err != nil {
		return err
	}
	params, err := scaffold.ParseParams(t, kvs)
	if err == nil {
		var res *paved.ScaffoldResult
		res, err = p.svc.Scaffolds.Scaffold(rq.ctx, &paved.RenderRequest{Template: t.Name, Version: t.Version, Name: page.Name, Team: page.Team, Params: params})
		page.Result = res
		if res != nil {
			page.Saved = time.Duration(res.Scaffold.TimeSaved).String()
		}
	}
	if err != nil {
		if code := paved.ErrorCode(err); code != paved.EINVALID && code != paved.ECONFLICT && code != paved.EFORBIDDEN {
			return err
		}
		// The form shows the problem; the status still says what it was
		// (403 for a service of a team that is not the user's).
		page.Problem = paved.ErrorMessage(err)
		return p.showNew(rq, statusOf(err), name, kvs, page)
	}
	return p.showNew(rq, http.StatusCreated, name, kvs, page)
}

// newDownload renders the scaffold again (nothing recorded) and sends it
// as a .zip of a Git repository with its initial commit.
func (p *Portal) newDownload(rq *request) error {
	f := rq.r.PostForm
	t, err := p.svc.Templates.GetTemplate(rq.ctx, f.Get("template"), f.Get("version"))
	if err != nil {
		return err
	}
	kvs, err := formParams(rq.r, t)
	if err != nil {
		return err
	}
	params, err := scaffold.ParseParams(t, kvs)
	if err != nil {
		return err
	}
	r, err := p.svc.Templates.RenderTemplate(rq.ctx, &paved.RenderRequest{Template: t.Name, Version: t.Version, Name: f.Get("name"), Team: f.Get("team"), Params: params})
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "paved-new-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	root := filepath.Join(tmp, r.Name)
	if _, err := scaffold.InitRepo(root, r, scaffold.Author(rq.user.Name, time.Now())); err != nil {
		return err
	}
	rq.w.Header().Set("Content-Type", "application/zip")
	rq.w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.zip"`, r.Name))
	zw := zip.NewWriter(rq.w)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tmp, path)
		info, err := d.Info()
		if err != nil {
			return err
		}
		h, err := zip.FileInfoHeader(info)
		if err != nil {
			return err
		}
		h.Name, h.Method = strings.ReplaceAll(rel, string(filepath.Separator), "/"), zip.Deflate
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		src, err := os.Open(path)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(w, src)
		return err
	})
	if err != nil {
		return err
	}
	return zw.Close()
}
