package record

import (
	"encoding/json"
	"fmt"

	"paved.dev/paved"
)

// PrepareScorecard validates a scorecard as PreparePolicy does a policy:
// id, owner and module are required, the text valid UTF-8 without NUL; a
// non-zero CreatedAt is kept as the stores keep times.
func PrepareScorecard(sc *paved.Scorecard) error {
	if err := Required("scorecard", "id", sc.ID, "owner", string(sc.Owner), "module", sc.Module); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"id", sc.ID}, {"description", sc.Description}, {"module", sc.Module}, {"updated_by", sc.UpdatedBy}} {
		if err := plainText("scorecard "+sc.ID, f.name, f.v); err != nil {
			return err
		}
	}
	if !sc.CreatedAt.IsZero() {
		sc.CreatedAt = Time(sc.CreatedAt)
	}
	return nil
}

// EncodeScorecard returns the body column of a scorecard's given version.
func EncodeScorecard(sc *paved.Scorecard, version int) (string, error) {
	v := *sc
	v.Version = version
	return Encode(&v)
}

// DecodeScorecard returns the scorecard of a body column and its version.
func DecodeScorecard[T JSON](body T, version int) (paved.Scorecard, error) {
	var sc paved.Scorecard
	if err := json.Unmarshal([]byte(body), &sc); err != nil {
		return sc, fmt.Errorf("decode scorecard: %w", err)
	}
	sc.Version = version
	return sc, nil
}

// PrepareScorecardRecord validates a result to store: app and scorecard
// are required, the level one of the levels or none, rule ids plain text;
// nil lists become empty ones and a zero At is now.
func PrepareScorecardRecord(r *paved.ScorecardRecord) error {
	if err := Required("scorecard result", "app", r.App, "scorecard", r.Scorecard); err != nil {
		return err
	}
	if r.Level != "" && !r.Level.Valid() {
		return paved.Errorf(paved.EINVALID, "scorecard result: level: %q is not bronze, silver, gold or none", r.Level)
	}
	if r.Passed == nil {
		r.Passed = []string{}
	}
	if r.Failed == nil {
		r.Failed = []string{}
	}
	fields := []string{r.App, r.Scorecard}
	fields = append(append(fields, r.Passed...), r.Failed...)
	for _, v := range fields {
		if err := plainText("scorecard result", "a name", v); err != nil {
			return err
		}
	}
	Stamp(&r.At)
	return nil
}

// ScorecardResultLimit is the number of results a history returns: 100
// for 0, at most 1000.
func ScorecardResultLimit(limit int) int {
	switch {
	case limit <= 0:
		return 100
	case limit > 1000:
		return 1000
	}
	return limit
}

// DecodeNames reads a JSON list of names (passed, failed).
func DecodeNames[T JSON](col T) ([]string, error) {
	out := []string{}
	if err := json.Unmarshal([]byte(col), &out); err != nil {
		return nil, fmt.Errorf("decode names: %w", err)
	}
	return out, nil
}
