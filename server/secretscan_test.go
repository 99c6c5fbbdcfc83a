package server

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/jackc/pgx/v5"

	"paved.dev/paved"
	"paved.dev/paved/examples"
)

// TestSecretsScan looks for every secret paved generates or is given in
// everything it writes or shows: the store's files (SQLite) or tables'
// text (PostgreSQL), every blob and commit of the GitOps repository's
// history, the server's debug-level logs, the answer of every GET route of
// the API (the backup archive unpacked) and every portal page. The
// secrets: the databases' generated passwords and every other secret
// output of a resource (the template driver's generated values among
// them, revealed once through the API to learn them), every user's token,
// a registered cluster's kubeconfig token and a definition's secret input.
// None may appear in plain text, base64 (at any alignment, standard or
// URL alphabet) or hex.
func TestSecretsScan(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { secretsScan(t, false) })
	t.Run("postgres", func(t *testing.T) {
		needPostgres(t)
		secretsScan(t, true)
	})
}

func secretsScan(t *testing.T, postgres bool) {
	dir := t.TempDir()
	var logs syncBuffer
	cfg := Config{Addr: "127.0.0.1:0", DataDir: dir, MVPMode: true, MaxFailedLogins: 1 << 20,
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	if postgres {
		cfg.Database, cfg.SealingCert = testDatabase(t, "paved_secrets_"), testSealingCert(t)
	}
	m := newMatrixOn(t, cfg)

	// Secret inputs, and deployments that generate secrets.
	const defSecret, kubeToken = "definition-secret-Zs42", "kube-token-Zs42-d0c8a1"
	m.must("PUT", "/api/definitions", `{"items":[{"id":"stg-redis","type":"redis","driver":"echo","criteria":[{"env_type":"staging"}],`+
		`"driver_inputs":{"values":{"host":"r","port":6379,"username":"u"},"secrets":{"password":"`+defSecret+`"}}}]}`)
	kc, _ := json.Marshal(map[string]any{"name": "prod-eu", "type": "kubernetes", "kubeconfig": testKubeconfig(kubeToken)})
	m.must("POST", "/api/targets", string(kc))
	m.must("POST", "/api/apps/shop/envs", `{"name":"shop-dev","type":"development"}`)
	m.must("POST", "/api/apps/shop/envs", `{"name":"staging","type":"staging"}`)
	specs := map[string]string{}
	for _, f := range examples.Shop() {
		specs[f.Name] = string(f.Data)
	}
	body, _ := json.Marshal(map[string]any{"specs": specs})
	var deployments []string
	for _, env := range []string{"shop-dev", "staging"} {
		for range 2 {
			d := m.must("POST", "/api/apps/shop/envs/"+env+"/deployments", string(body))
			m.waitDeployment(d["id"].(string))
			deployments = append(deployments, d["id"].(string))
		}
	}

	// What must never show: each resource's secret outputs, revealed once.
	secrets := map[string]string{defSecret: "a definition's secret input", kubeToken: "a kubeconfig's token"}
	var outputsPaths []string
	for _, env := range []string{"dev", "shop-dev", "staging"} {
		var list struct{ Items []paved.StoredResource }
		_, b := m.do("GET", "/api/apps/shop/envs/"+env+"/resources", m.tokens["admin"], "")
		must(t, json.Unmarshal([]byte(b), &list))
		for _, r := range list.Items {
			if len(r.SecretNames) == 0 {
				continue
			}
			path := "/api/apps/shop/envs/" + env + "/resources/" + strings.ReplaceAll(string(r.UID), "#", "%23") + "/outputs"
			outputsPaths = append(outputsPaths, path)
			out := m.must("GET", path+"?reveal=true", "")
			for _, name := range r.SecretNames {
				if v, ok := out[name].(string); ok && v != "" {
					secrets[v] = fmt.Sprintf("%s's secret output %s in %s", r.UID, name, env)
				}
			}
		}
	}
	for p, tok := range m.tokens {
		if tok != "" {
			secrets[tok] = p + "'s token"
		}
	}
	generated := 0
	for _, what := range secrets {
		if strings.Contains(what, "secret output") {
			generated++
		}
	}
	if generated < 4 {
		t.Fatalf("only %d generated secrets found: %v", generated, secrets)
	}
	sc := newScanner(t, secrets)
	// The scan finds what it looks for: a revealed output, a kubeconfig
	// in base64 (the token at some alignment inside it), a token in hex.
	for what, b := range map[string][]byte{
		"a revealed output":   []byte(m.do2("GET", outputsPaths[0]+"?reveal=true")),
		"a base64 kubeconfig": []byte(base64.StdEncoding.EncodeToString([]byte("x" + testKubeconfig(kubeToken)))),
		"a hex token":         []byte(hex.EncodeToString([]byte("--" + m.tokens["dev"] + "--"))),
	} {
		if sc.found(b) == 0 {
			t.Fatalf("the scan does not find the secret in %s", what)
		}
	}

	// Every GET route of the API, as the admin, who may see the most.
	cases := apiCases()
	apiGets := 0
	for _, r := range m.s.api.Routes() {
		key := r.Method + " " + r.Path
		if r.Method != "GET" {
			continue
		}
		c, ok := cases[key]
		if !ok {
			t.Errorf("%s: no request for it in apiCases (server/matrix_test.go)", key)
			continue
		}
		path, _ := c.req(m, "admin")
		status, b := m.do("GET", path, m.tokens["admin"], "")
		if key == "GET /api/backup" && postgres && status == 400 {
			sc.scan("API GET "+path, []byte(b)) // backups of PostgreSQL are pg_dump's
			apiGets++
			continue
		}
		if status != 200 {
			t.Errorf("GET %s: %d %.200s", path, status, b)
		}
		if key == "GET /api/backup" {
			sc.archive(t, "the backup", []byte(b))
		} else {
			sc.scan("API GET "+path, []byte(b))
		}
		apiGets++
	}
	// And the pages of what holds secrets: the deployments, the resources'
	// outputs (not revealed), the new environments, the target.
	for _, id := range deployments {
		for _, p := range []string{"/api/deployments/" + id, "/api/deployments/" + id + "/events"} {
			_, b := m.do("GET", p, m.tokens["admin"], "")
			sc.scan("API GET "+p, []byte(b))
		}
	}
	for _, p := range append(outputsPaths, "/api/apps/shop/envs/staging/status", "/api/apps/shop/envs/shop-dev/resources", "/api/targets", "/api/definitions/stg-redis/history") {
		_, b := m.do("GET", p, m.tokens["admin"], "")
		sc.scan("API GET "+p, []byte(b))
	}

	// Every portal page, as the admin.
	cookie, _ := m.session("admin")
	pcases := portalCases()
	pages := 0
	for _, key := range m.s.portal.Routes() {
		if !strings.HasPrefix(key, "GET ") {
			continue
		}
		c, ok := pcases[key]
		if !ok {
			t.Errorf("portal %s: no request for it in portalCases (server/matrix_test.go)", key)
			continue
		}
		path, _ := c.req(m, "admin")
		_, b := m.do("GET", path, "", "", "Cookie", cookie)
		sc.scan("portal "+path, []byte(b))
		pages++
	}
	extra := []string{"/apps/shop/envs/shop-dev", "/apps/shop/envs/staging", "/platform/definitions/stg-redis", "/platform/targets"}
	for _, id := range deployments {
		extra = append(extra, "/deployments/"+id, "/deployments/"+id+"/events")
	}
	for _, p := range extra {
		status, b := m.do("GET", p, "", "", "Cookie", cookie)
		if status != 200 {
			t.Errorf("portal %s: %d", p, status)
		}
		sc.scan("portal "+p, []byte(b))
	}
	must(t, m.s.Close())

	// The logs, the store, the GitOps repository.
	if len(logs.Bytes()) == 0 || !bytes.Contains(logs.Bytes(), []byte(`"level":"DEBUG"`)) {
		t.Error("the server logged nothing at debug level: the scan of its logs proves nothing")
	}
	sc.scan("the server's debug logs", logs.Bytes())
	files := 0
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		must(t, err)
		sc.scan(p, b)
		files++
		return nil
	})
	if postgres {
		sc.tables(t, cfg.Database)
	}
	blobs := sc.history(t, filepath.Join(dir, "gitops"))
	t.Logf("scanned for %d secrets (%d generated): %d API GET routes, %d portal routes, %d files, %d Git blobs, %d bytes of logs; %d texts in all",
		len(secrets), generated, apiGets, pages, files, blobs, len(logs.Bytes()), sc.texts)
}

// do2 sends a request as the admin and returns the body.
func (m *matrix) do2(method, path string) string {
	_, b := m.do(method, path, m.tokens["admin"], "")
	return b
}

// scanner looks for secrets, each in several encodings, in texts.
type scanner struct {
	t       *testing.T
	needles map[string]string // encoding → what it is
	texts   int
}

func newScanner(t *testing.T, secrets map[string]string) *scanner {
	sc := &scanner{t: t, needles: map[string]string{}}
	for s, what := range secrets {
		if len(s) < 8 {
			t.Fatalf("%s %q is too short to look for", what, s)
		}
		sc.needles[s] = what
		sc.needles[hex.EncodeToString([]byte(s))] = what + " (hex)"
		// base64 at each of the three alignments a value can have inside
		// a larger encoded text: the characters that depend only on it.
		for pad := range 3 {
			for name, enc := range map[string]*base64.Encoding{"base64": base64.RawStdEncoding, "base64url": base64.RawURLEncoding} {
				e := enc.EncodeToString(append(make([]byte, pad), s...))
				from, to := (8*pad+5)/6, 8*(pad+len(s))/6
				sc.needles[e[from:to]] = what + " (" + name + ")"
			}
		}
	}
	return sc
}

// found counts the needles in b.
func (sc *scanner) found(b []byte) int {
	n := 0
	for needle := range sc.needles {
		if bytes.Contains(b, []byte(needle)) {
			n++
		}
	}
	return n
}

func (sc *scanner) scan(where string, b []byte) {
	sc.t.Helper()
	sc.texts++
	keys := make([]string, 0, len(sc.needles))
	for n := range sc.needles {
		keys = append(keys, n)
	}
	sort.Strings(keys)
	for _, n := range keys {
		if bytes.Contains(b, []byte(n)) {
			sc.t.Errorf("%s holds %s", where, sc.needles[n])
		}
	}
}

// archive scans every file of a gzip-compressed tar.
func (sc *scanner) archive(t *testing.T, where string, b []byte) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	must(t, err)
	tr := tar.NewReader(zr)
	n := 0
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		must(t, err)
		body, err := io.ReadAll(tr)
		must(t, err)
		sc.scan(where+": "+h.Name, body)
		n++
	}
	if n == 0 {
		t.Errorf("%s holds no file", where)
	}
}

// tables scans the text of every row of every table of the database.
func (sc *scanner) tables(t *testing.T, url string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	must(t, err)
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1")
	must(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	must(t, err)
	withRows := 0
	for _, name := range names {
		rows, err := conn.Query(ctx, fmt.Sprintf("SELECT t::text FROM %s t", pgx.Identifier{name}.Sanitize()))
		must(t, err)
		texts, err := pgx.CollectRows(rows, pgx.RowTo[string])
		must(t, err)
		sc.scan("table "+name, []byte(strings.Join(texts, "\n")))
		if len(texts) > 0 {
			withRows++
		}
	}
	for _, want := range []string{"resources", "targets", "definitions", "deployments", "tokens"} {
		if !slices.Contains(names, want) {
			t.Errorf("the database has no table %s to scan", want)
		}
	}
	if withRows < 10 {
		t.Errorf("only %d tables hold rows: the scan proves little", withRows)
	}
}

// history scans every blob and commit message of a repository's history.
func (sc *scanner) history(t *testing.T, dir string) int {
	t.Helper()
	r, err := git.PlainOpen(dir)
	must(t, err)
	blobs, err := r.BlobObjects()
	must(t, err)
	n := 0
	must(t, blobs.ForEach(func(b *object.Blob) error {
		rd, err := b.Reader()
		if err != nil {
			return err
		}
		defer rd.Close()
		data, err := io.ReadAll(rd)
		if err != nil {
			return err
		}
		sc.scan("Git blob "+b.Hash.String(), data)
		n++
		return nil
	}))
	commits, err := r.CommitObjects()
	must(t, err)
	must(t, commits.ForEach(func(c *object.Commit) error {
		sc.scan("Git commit "+c.Hash.String(), []byte(c.Message))
		return nil
	}))
	if n < 10 {
		t.Errorf("the GitOps repository's history holds %d blobs: the scan proves little", n)
	}
	return n
}
