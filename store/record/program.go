package record

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"paved.dev/paved"
)

// EncodeProgram encodes the stored program as JSON (without its version,
// which is a column).
func EncodeProgram(p *paved.Program) (string, error) {
	c := *p
	c.Version = 0
	b, err := json.Marshal(&c)
	if err != nil {
		return "", fmt.Errorf("encode program: %w", err)
	}
	return string(b), nil
}

// DecodeProgram decodes a stored program.
func DecodeProgram(body string, version int) (*paved.Program, error) {
	var p paved.Program
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		return nil, fmt.Errorf("decode program: %w", err)
	}
	p.Version = version
	return &p, nil
}

// ProgramConflict is the error of a put whose version is not the next.
func ProgramConflict(stored, put int) error {
	return paved.Errorf(paved.ECONFLICT, "the program changed meanwhile (version %d is stored, this change was made on version %d); read it again and retry", stored, put-1)
}

// PrepareFeedback validates feedback: author, text and source required,
// the text at most paved.MaxFeedback bytes of UTF-8 without NUL.
func PrepareFeedback(f *paved.Feedback) error {
	if err := Required("feedback", "author", f.Author, "text", strings.TrimSpace(f.Text), "source", f.Source); err != nil {
		return err
	}
	if len(f.Text) > paved.MaxFeedback {
		return paved.Errorf(paved.EINVALID, "feedback: text is %d bytes, more than %d; say it in fewer words or in several", len(f.Text), paved.MaxFeedback)
	}
	if !utf8.ValidString(f.Text) || strings.ContainsRune(f.Text, 0) {
		return paved.Errorf(paved.EINVALID, "feedback: text must be UTF-8 text without NUL characters")
	}
	for _, fl := range []struct{ name, v string }{{"author", f.Author}, {"source", f.Source}, {"item", f.Item}} {
		if err := plainText("feedback", fl.name, fl.v); err != nil {
			return err
		}
	}
	Stamp(&f.At)
	return nil
}

// PrepareRoadmapItem validates a roadmap item: id, title and a known
// status; times stamped when zero.
func PrepareRoadmapItem(it *paved.RoadmapItem) error {
	if err := Required("roadmap item", "id", it.ID, "title", it.Title, "status", string(it.Status)); err != nil {
		return err
	}
	known := false
	for _, s := range paved.RoadmapStatuses() {
		known = known || s == it.Status
	}
	if !known {
		return paved.Errorf(paved.EINVALID, "roadmap item: status %q is not one of %v", it.Status, paved.RoadmapStatuses())
	}
	for _, fl := range []struct{ name, v string }{{"id", it.ID}, {"title", it.Title}} {
		if err := plainText("roadmap item", fl.name, fl.v); err != nil {
			return err
		}
	}
	Stamp(&it.CreatedAt)
	Stamp(&it.UpdatedAt)
	return nil
}

// FeedbackIDs parses a comma-separated list of feedback ids, as the
// stores' aggregate gives it ("" for none).
func FeedbackIDs(s string) ([]int64, error) {
	if s == "" {
		return nil, nil
	}
	var out []int64
	for _, f := range strings.Split(s, ",") {
		var id int64
		if _, err := fmt.Sscan(f, &id); err != nil {
			return nil, fmt.Errorf("feedback id %q: %w", f, err)
		}
		out = append(out, id)
	}
	return out, nil
}
