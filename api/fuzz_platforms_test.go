package api

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"testing"

	"paved.dev/paved"
)

// TestFuzzPlatformsRenewed: FuzzDecodeRequest's inputs share a platform
// for fuzzPlatformInputs inputs, and then get a fresh one, without what
// the inputs before wrote; the old one's directory is removed.
func TestFuzzPlatformsRenewed(t *testing.T) {
	fp := newFuzzPlatforms(t)
	first := fp.next(t)
	admin := paved.WithActor(context.Background(), users["admin-token"])
	if err := first.CreateTeam(admin, &paved.Team{Name: "written-before"}); err != nil {
		t.Fatal(err)
	}
	oldDir := fp.pdir
	for i := 2; i <= fuzzPlatformInputs; i++ {
		if p := fp.next(t); p != first {
			t.Fatalf("input %d got a fresh platform, want the first for %d inputs", i, fuzzPlatformInputs)
		}
	}
	fresh := fp.next(t)
	if fresh == first {
		t.Fatalf("input %d got the first platform, want a fresh one", fuzzPlatformInputs+1)
	}
	if _, err := os.Stat(oldDir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the first platform's directory %s is still there (%v)", oldDir, err)
	}
	if _, err := fresh.GetTeam(admin, "written-before"); paved.ErrorCode(err) != paved.ENOTFOUND {
		t.Errorf("the fresh platform has the team the first one was given: GetTeam = %v", err)
	}
	if _, err := fresh.GetApp(admin, "shop"); err != nil {
		t.Errorf("the fresh platform lacks the fixtures: GetApp(shop) = %v", err)
	}
}
