package record

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"paved.dev/paved"
)

// PrepareTemplate refuses a template a store cannot keep as it is: no
// name, version or digest, text that is not UTF-8 or holds NUL (JSON would
// change it), and keeps CreatedAt as the stores keep times.
func PrepareTemplate(t *paved.Template) error {
	if err := Required("template", "name", t.Name, "version", t.Version, "digest", t.Digest); err != nil {
		return err
	}
	texts := []struct{ name, v string }{{"description", t.Description}, {"owner", t.Owner}, {"parameters", string(t.Parameters)}}
	for _, f := range t.Files {
		texts = append(texts, struct{ name, v string }{f.Path, f.Path + f.Content})
	}
	for _, f := range texts {
		if !utf8.ValidString(f.v) {
			return paved.Errorf(paved.EINVALID, "template %s %s: %s is not valid UTF-8", t.Name, t.Version, f.name)
		}
		if strings.ContainsRune(f.v, 0) {
			return paved.Errorf(paved.EINVALID, "template %s %s: %s contains a NUL character", t.Name, t.Version, f.name)
		}
	}
	Stamp(&t.CreatedAt)
	return nil
}

// DecodeTemplate returns the template of a body column.
func DecodeTemplate[T JSON](body T) (paved.Template, error) {
	var t paved.Template
	if err := json.Unmarshal([]byte(body), &t); err != nil {
		return t, fmt.Errorf("decode template: %w", err)
	}
	// PostgreSQL's jsonb orders keys its own way.
	params, err := paved.CanonicalJSON(t.Parameters)
	if err != nil {
		return t, fmt.Errorf("decode template %s %s: parameters: %w", t.Name, t.Version, err)
	}
	t.Parameters = params
	return t, nil
}

// TemplateVersionTaken is the ECONFLICT of a version stored before with
// other content.
func TemplateVersionTaken(name, version string) error {
	return paved.Errorf(paved.ECONFLICT, "template %s version %s is stored with other content: give the changed template a new version", name, version)
}

// PrepareScaffold refuses a scaffold without its fields and keeps its
// time as the stores keep times.
func PrepareScaffold(s *paved.Scaffold) error {
	if err := Required("scaffold", "id", s.ID, "app", s.App, "team", s.Team, "template", s.Template, "version", s.Version, "created_by", s.CreatedBy); err != nil {
		return err
	}
	if s.TimeSaved < 0 {
		return paved.Errorf(paved.EINVALID, "scaffold %s: time_saved is negative", s.ID)
	}
	Stamp(&s.CreatedAt)
	return nil
}

// ScaffoldTimeSavedKey is the settings row of the time a scaffold is
// assumed to save.
const ScaffoldTimeSavedKey = "scaffold_time_saved"

// EncodeSeconds is a duration as a settings value: whole seconds.
func EncodeSeconds(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) }

// DecodeSeconds reads a settings value of whole seconds; anything else is
// an error, not a guess.
func DecodeSeconds(key, v string) (time.Duration, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("settings: %s is %q, want a number of seconds", key, v)
	}
	return time.Duration(n) * time.Second, nil
}
