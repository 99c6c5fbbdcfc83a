package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"paved.dev/paved"
)

// policy is a policy of the security role with a module of its own.
func policy(id, module string) *paved.Policy {
	return &paved.Policy{ID: id, Owner: paved.RoleSecurity, Kind: paved.PolicyConftest, Module: module}
}

func testPolicies(t *testing.T, s paved.Store) {
	ctx := context.Background()
	// A policy never stored (a built-in's id, a typo) has no history: none,
	// not an error.
	history, err := s.PolicyHistory(ctx, "no-latest")
	must(t, err)
	if len(history) != 0 {
		t.Fatalf("PolicyHistory of an unknown id = %+v, want none", history)
	}
	latest, err := s.ListPolicies(ctx)
	must(t, err)
	if len(latest) != 0 {
		t.Fatalf("ListPolicies of an empty store = %+v, want none", latest)
	}

	var versions []paved.Policy
	for i, tag := range []string{"latest", "main", "master"} {
		p := policy("no-latest", fmt.Sprintf("package main\n\ndeny contains msg if {\n\tendswith(input.spec.image, \":%s\")\n\tmsg := \"no %s\"\n}\n", tag, tag))
		p.Description = "images are pinned, not :" + tag
		p.UpdatedBy = fmt.Sprintf("sec-%d", i)
		// The caller's CreatedAt is kept, in UTC to the microsecond.
		p.CreatedAt = time.Date(2026, 3, 1, 13, 0, i, 123456789, time.FixedZone("CET", 3600))
		v, err := s.PutPolicy(ctx, p)
		must(t, err)
		if v != i+1 || p.Version != i+1 {
			t.Fatalf("PutPolicy #%d returned version %d and set %d, want %d", i+1, v, p.Version, i+1)
		}
		if want := at(i); !p.CreatedAt.Equal(want) || p.CreatedAt.Location() != time.UTC {
			t.Fatalf("PutPolicy #%d left CreatedAt %v, want %v", i+1, p.CreatedAt, want)
		}
		versions = append(versions, *p)
	}
	// A zero CreatedAt is the caller's to set: the store leaves it zero.
	owners := &paved.Policy{ID: "deploy-owners", Owner: paved.RoleAdmin, Kind: paved.PolicyDeployment,
		Module: "package paved.owners\n\nwarn contains \"no owner\" if not input.app.team\n"}
	v, err := s.PutPolicy(ctx, owners)
	must(t, err)
	if v != 1 || owners.Version != 1 {
		t.Fatalf("first version of another policy = %d (set %d), want 1", v, owners.Version)
	}
	if !owners.CreatedAt.IsZero() {
		t.Fatalf("PutPolicy stamped CreatedAt %v, want it left zero", owners.CreatedAt)
	}

	_, err = s.PutPolicy(ctx, &paved.Policy{Owner: paved.RoleSecurity, Kind: paved.PolicyConftest, Module: "package main"})
	wantError(t, err, paved.EINVALID, "policy: id is required")
	_, err = s.PutPolicy(ctx, policy("x", ""))
	wantError(t, err, paved.EINVALID, "policy: module is required")
	// Neither store can keep a NUL character or invalid UTF-8 exactly
	// (PostgreSQL's jsonb refuses the one, JSON replaces the other): both
	// refuse them alike.
	_, err = s.PutPolicy(ctx, policy("x", "package main\x00"))
	wantError(t, err, paved.EINVALID, "policy x: module contains a NUL character")
	_, err = s.PutPolicy(ctx, policy("x", "package main # \xff"))
	wantError(t, err, paved.EINVALID, "policy x: module is not valid UTF-8")
	history, err = s.PolicyHistory(ctx, "x")
	must(t, err)
	if len(history) != 0 {
		t.Fatalf("a refused policy was stored: %+v", history)
	}

	history, err = s.PolicyHistory(ctx, "no-latest")
	must(t, err)
	sameJSON(t, "PolicyHistory", history, versions)
	for i, p := range history {
		if p.CreatedAt.Location() != time.UTC {
			t.Fatalf("PolicyHistory version %d CreatedAt %v, want UTC", i+1, p.CreatedAt)
		}
	}
	history, err = s.PolicyHistory(ctx, "deploy-owners")
	must(t, err)
	sameJSON(t, "PolicyHistory deploy-owners", history, []paved.Policy{*owners})
	if !history[0].CreatedAt.IsZero() {
		t.Fatalf("CreatedAt read back %v, want zero", history[0].CreatedAt)
	}

	// The latest of each, by id: deploy-owners sorts before no-latest,
	// which was stored first.
	latest, err = s.ListPolicies(ctx)
	must(t, err)
	sameJSON(t, "ListPolicies", latest, []paved.Policy{*owners, versions[2]})
}

func testConcurrentPolicies(t *testing.T, s paved.Store) {
	ctx := context.Background()
	const writers = 20
	var wg sync.WaitGroup
	versions := make(chan int, writers)
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			p := policy("no-latest", fmt.Sprintf("package main\n\n# writer %d\n", w))
			p.UpdatedBy = fmt.Sprintf("writer-%d", w)
			v, err := s.PutPolicy(ctx, p)
			if err != nil {
				errs <- err
				return
			}
			if p.Version != v {
				errs <- fmt.Errorf("writer %d: PutPolicy returned %d and set %d", w, v, p.Version)
				return
			}
			versions <- v
		})
	}
	wg.Wait()
	close(errs)
	close(versions)
	for err := range errs {
		t.Fatal(err)
	}
	// Distinct and consecutive: exactly 1..writers.
	var got []int
	for v := range versions {
		got = append(got, v)
	}
	slices.Sort(got)
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("versions handed out %v, want 1..%d each once", got, writers)
		}
	}
	history, err := s.PolicyHistory(ctx, "no-latest")
	must(t, err)
	if len(history) != writers {
		t.Fatalf("history has %d versions, want %d", len(history), writers)
	}
	writer := map[string]bool{}
	for i, p := range history {
		if p.Version != i+1 {
			t.Fatalf("history[%d] is version %d, want %d: oldest first", i, p.Version, i+1)
		}
		writer[p.UpdatedBy] = true
	}
	if len(writer) != writers {
		t.Fatalf("history holds %d writers' policies, want %d", len(writer), writers)
	}
	latest, err := s.ListPolicies(ctx)
	must(t, err)
	if len(latest) != 1 || latest[0].Version != writers {
		t.Fatalf("ListPolicies = %+v, want version %d only", latest, writers)
	}
	if latest[0] != history[writers-1] {
		t.Fatalf("ListPolicies = %+v, want the last version of the history %+v", latest[0], history[writers-1])
	}
}

// unicodeModule is Rego text with what JSON and the databases could alter:
// accents (precomposed and combining), CJK, emoji beyond the BMP, a BOM,
// right-to-left text, the line and paragraph separators, HTML characters
// (which Go's JSON escapes), quotes, backslashes, tabs, CRLF line ends and
// trailing blanks.
const unicodeModule = "\ufeffpackage main\r\n\r\n" +
	"# Ünïcödé: cafe\u0301 café 日本語 한국어 🚀👩🏽‍💻 שלום مرحبا \u2028 \u2029 \u00a0 end\r\n" +
	"deny contains msg if {\r\n" +
	"\tinput.metadata.annotations[\"owner\"] == \"<team> & \\\"friends\\\" \\\\ ☃\"  \r\n" +
	"\tmsg := sprintf(\"%v — refusé ✗\", [input.kind])\t\r\n" +
	"}\n\n\n"

// bigModule is a module of exactly size bytes, of rules with unicode in
// them.
func bigModule(size int) string {
	var b strings.Builder
	b.WriteString("package main\n\n")
	for i := 0; b.Len() < size-200; i++ {
		fmt.Fprintf(&b, "warn contains \"règle %d: ☃ 🚀\" if input.metadata.name == \"nom-%d\"\n", i, i)
	}
	b.WriteString("# ")
	b.WriteString(strings.Repeat("x", size-b.Len()-1))
	b.WriteString("\n")
	return b.String()
}

func testPolicyModules(t *testing.T, s paved.Store) {
	ctx := context.Background()
	big := bigModule(64 << 10)
	if len(big) != 64<<10 || !utf8.ValidString(big) {
		t.Fatalf("bigModule is %d bytes (valid UTF-8: %v), want 65536", len(big), utf8.ValidString(big))
	}
	modules := map[string]string{"unicode": unicodeModule, "big": big}
	for _, id := range []string{"unicode", "big"} {
		p := policy(id, modules[id])
		p.Description = "Beschreibung – ✓ <b>&amp;</b> 🚀"
		_, err := s.PutPolicy(ctx, p)
		must(t, err)
		if p.Module != modules[id] {
			t.Fatalf("PutPolicy changed the %s module it was given", id)
		}
	}
	check := func(what string, p paved.Policy) {
		t.Helper()
		want, ok := modules[p.ID]
		if !ok {
			t.Fatalf("%s: unexpected policy %q", what, p.ID)
		}
		if p.Module != want {
			t.Fatalf("%s: module of %s came back changed (%d bytes, want %d): first difference at byte %d",
				what, p.ID, len(p.Module), len(want), firstDiff(p.Module, want))
		}
		if p.Description != "Beschreibung – ✓ <b>&amp;</b> 🚀" {
			t.Fatalf("%s: description of %s came back as %q", what, p.ID, p.Description)
		}
	}
	latest, err := s.ListPolicies(ctx)
	must(t, err)
	if len(latest) != 2 {
		t.Fatalf("ListPolicies = %d policies, want 2", len(latest))
	}
	for _, p := range latest {
		check("ListPolicies", p)
	}
	for id := range modules {
		history, err := s.PolicyHistory(ctx, id)
		must(t, err)
		if len(history) != 1 {
			t.Fatalf("PolicyHistory(%s) = %d versions, want 1", id, len(history))
		}
		check("PolicyHistory", history[0])
	}
}

// firstDiff is the index of the first byte where a and b differ.
func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
