package scaffold

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"paved.dev/paved"
)

// Action is what an upgrade does to one file.
type Action string

// Actions of an upgrade, file by file.
const (
	// Unchanged: the new version changes nothing the repository holds.
	Unchanged Action = "unchanged"
	// Create: a file new in the template version.
	Create Action = "create"
	// Update: the team never changed the file; it becomes the new
	// version's.
	Update Action = "update"
	// Merge: both changed it, apart; the merge keeps both.
	Merge Action = "merge"
	// Conflict: both changed the same lines; the file gets conflict
	// markers.
	Conflict Action = "conflict"
	// Delete: the new version removes a file the team never changed.
	Delete Action = "delete"
	// Keep: the new version removes a file the team changed, or
	// changes one the team deleted; it is left as the team has it.
	Keep Action = "keep"
)

// Change is one file's part in an upgrade.
type Change struct {
	Path      string `json:"path"`
	Action    Action `json:"action"`
	Note      string `json:"note,omitempty"`
	Conflicts int    `json:"conflicts,omitempty"`
	content   []byte
	exec      bool
}

// Upgrade is a scaffolded repository's way from its template version to
// another: a change per file and the record it ends with.
type Upgrade struct {
	Template string   `json:"template"`
	From     string   `json:"from"`
	To       string   `json:"to"`
	Changes  []Change `json:"changes"`
	// Dropped are the given parameters the new version no longer
	// declares (NextParams).
	Dropped  []string `json:"dropped_params,omitempty"`
	record   *Record
	recordOK bool // the record is already what the upgrade would write
}

// Reader reads a file of the repository: ok false when it does not exist.
type Reader func(path string) (data []byte, ok bool, err error)

// PlanUpgrade compares three versions of every file the template writes:
// base (the recorded version rendered with the recorded parameters), ours
// (the new version with the same parameters) and theirs (the repository's
// file now), and says what to do with each. Files the template never
// wrote are not looked at.
func PlanUpgrade(ctx context.Context, rec *Record, base, ours *paved.Rendering, read Reader) (*Upgrade, error) {
	u := &Upgrade{Template: rec.Template, From: rec.Version, To: ours.Version, record: RecordOf(ours)}
	byPath := func(r *paved.Rendering) map[string]paved.TemplateFile {
		m := map[string]paved.TemplateFile{}
		for _, f := range r.Files {
			m[f.Path] = f
		}
		return m
	}
	bm, om := byPath(base), byPath(ours)
	var paths []string
	for p := range bm {
		paths = append(paths, p)
	}
	for p := range om {
		if _, ok := bm[p]; !ok {
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	labels := [3]string{"yours", fmt.Sprintf("%s %s", rec.Template, rec.Version), fmt.Sprintf("%s %s", ours.Template, ours.Version)}
	for _, p := range paths {
		b, inBase := bm[p]
		o, inOurs := om[p]
		theirs, exists, err := read(p)
		var link *LinkError
		if errors.As(err, &link) {
			u.Changes = append(u.Changes, Change{Path: p, Action: Keep, Note: link.Error() + ": left as it is; paved upgrade writes no file through a link"})
			continue
		}
		if err != nil {
			return nil, err
		}
		// A checkout with CRLF line ends (core.autocrlf on Windows) is
		// compared and merged with the template's LF ones, and keeps its
		// CRLF.
		crlf := bytes.Contains(theirs, []byte("\r\n")) && !strings.Contains(b.Content, "\r") && !strings.Contains(o.Content, "\r")
		if crlf {
			theirs = bytes.ReplaceAll(theirs, []byte("\r\n"), []byte("\n"))
		}
		c := Change{Path: p, Action: Unchanged, exec: o.Executable}
		switch {
		case inBase && !inOurs:
			recorded := rec.Files[p]
			switch {
			case !exists:
				c.Note = "removed by the template and already gone"
			case bytes.Equal(theirs, []byte(b.Content)) || recorded != "" && paved.FileDigest(theirs) == recorded:
				c.Action, c.Note = Delete, "removed by "+labels[2]
			default:
				c.Action, c.Note = Keep, "removed by "+labels[2]+" but changed by you: kept; delete it if you no longer need it"
			}
		case !exists && inBase && b.Content != o.Content:
			c.Action, c.Note = Keep, "deleted by you and changed by "+labels[2]+": left deleted"
		case !exists && inBase:
			c.Note = "deleted by you"
		case !exists:
			c.Action, c.content = Create, []byte(o.Content)
		case bytes.Equal(theirs, []byte(o.Content)):
			// Already the new version's.
		case inBase && b.Content == o.Content:
			c.Note = "the template did not change it"
		case inBase && bytes.Equal(theirs, []byte(b.Content)):
			c.Action, c.content = Update, []byte(o.Content)
		case !utf8.Valid(theirs) || bytes.IndexByte(theirs, 0) >= 0:
			c.Action, c.Note = Keep, "your file is binary and the template's is text: kept as it is, not merged; compare it with "+labels[2]+"'s yourself"
		default:
			// Both changed it (or the team has a file where the new version
			// adds one): merge.
			merged, n, err := Merge3(ctx, theirs, []byte(b.Content), []byte(o.Content), labels)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", p, err)
			}
			c.content = merged
			if n > 0 {
				c.Action, c.Conflicts = Conflict, n
				c.Note = fmt.Sprintf("%d conflict(s) marked: resolve them, then commit", n)
			} else {
				c.Action = Merge
			}
			if !inBase {
				c.Note = "you had a file here already; " + c.Note
			}
		}
		if crlf && c.content != nil {
			c.content = bytes.ReplaceAll(c.content, []byte("\n"), []byte("\r\n"))
		}
		u.Changes = append(u.Changes, c)
	}
	if data, ok, err := read(RecordPath); err != nil {
		return nil, err
	} else if ok && bytes.Equal(data, u.record.Encode()) {
		u.recordOK = true
	}
	return u, nil
}

// Changed lists the files the upgrade writes or removes.
func (u *Upgrade) Changed() []Change {
	var out []Change
	for _, c := range u.Changes {
		switch c.Action {
		case Create, Update, Merge, Conflict, Delete:
			out = append(out, c)
		}
	}
	return out
}

// Conflicts lists the files left with conflict markers.
func (u *Upgrade) Conflicts() []string {
	var out []string
	for _, c := range u.Changes {
		if c.Action == Conflict {
			out = append(out, c.Path)
		}
	}
	return out
}

// Empty reports whether the upgrade would change nothing at all.
func (u *Upgrade) Empty() bool { return len(u.Changed()) == 0 && u.recordOK }
