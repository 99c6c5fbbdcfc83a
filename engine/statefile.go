package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"paved.dev/paved"
	"paved.dev/paved/graph"
)

// StateFile is the file in which `paved render` keeps what provisioning
// generated (the secret seed, driver state), per app and environment, so
// that rendering again gives the same output. It holds secrets: mode 0600.
type StateFile struct {
	Version      int                     `json:"version"`
	Environments map[string]*graph.State `json:"environments"`
}

// ReadStateFile reads a state file; a missing file is an empty state.
func ReadStateFile(path string) (*StateFile, error) {
	sf := &StateFile{Version: graph.StateVersion, Environments: map[string]*graph.State{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return sf, nil
	}
	if err != nil {
		return nil, paved.Errorf(paved.EINVALID, "state file %s: %w", path, err)
	}
	if err := json.Unmarshal(data, sf); err != nil {
		return nil, paved.Errorf(paved.EINVALID, "state file %s: not a paved state file (%v); move it away to start afresh (generated passwords will change)", path, err)
	}
	if sf.Version != graph.StateVersion {
		return nil, paved.Errorf(paved.EINVALID, "state file %s: version %d is not supported; this paved reads version %d", path, sf.Version, graph.StateVersion)
	}
	if sf.Environments == nil {
		sf.Environments = map[string]*graph.State{}
	}
	return sf, nil
}

// For returns the state of an app's environment, creating it if new.
func (sf *StateFile) For(app, env string) *graph.State {
	key := app + "/" + env
	st := sf.Environments[key]
	if st == nil || len(st.Seed) == 0 {
		st = graph.NewState()
		sf.Environments[key] = st
	}
	return st
}

// Write saves the state file atomically (write aside, then rename), so that
// a crash never leaves half a state and loses generated secrets.
func (sf *StateFile) Write(path string) error {
	data, err := json.MarshalIndent(sf, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".state-*")
	if err != nil {
		return fmt.Errorf("state file %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("state file %s: %w", path, err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
