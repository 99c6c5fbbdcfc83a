package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"paved.dev/paved"
	"paved.dev/paved/api"
	"paved.dev/paved/examples"
)

var uidRE = regexp.MustCompile(`<li><input type="hidden" name="uid" value="([^"]+)"`)

// TestPruneConfirmationListsAndBinds: the environment page lists the
// orphaned resources a prune would remove, holding data or not, and the
// prune removes exactly what the confirmation listed: a form that lists
// less is refused and removes nothing.
func TestPruneConfirmationListsAndBinds(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	dc := api.NewClient(f.s.URL, f.dana)
	specs := map[string]string{}
	for _, sf := range examples.Shop() {
		if sf.Name == "api.score.yaml" {
			specs[sf.Name] = string(sf.Data)
		}
	}
	d, err := dc.Deploy(ctx, &paved.DeployRequest{App: "shop", Env: "dev", Specs: specs})
	if err != nil {
		t.Fatal(err)
	}
	if err := dc.StreamEvents(ctx, d.ID, 0, func(paved.Event) error { return nil }); err != nil {
		t.Fatal(err)
	}
	b := f.login(t, f.dana)
	_, page := b.get("/apps/shop/envs/dev")
	var uids []string
	for _, m := range uidRE.FindAllStringSubmatch(page, -1) {
		uids = append(uids, m[1])
	}
	if len(uids) != 3 || !strings.Contains(page, "dns.default#web.dns") || !strings.Contains(page, `name="data_uid" value="redis.default#web.cache"`) {
		t.Fatalf("the confirmation lists %v; want the web workload's dns, route and service-port, and its redis as holding data", uids)
	}
	csrf := csrfOf(t, page)
	form := url.Values{"csrf": {csrf}, "confirm": {"dev"}, "uid": uids[1:]}
	if resp, body := b.post("/apps/shop/envs/dev/prune", form); resp.StatusCode != http.StatusConflict || !strings.Contains(body, "changed since it was confirmed") {
		t.Errorf("a prune confirming less than there is: %d", resp.StatusCode)
	}
	form["uid"] = uids
	if resp, body := b.post("/apps/shop/envs/dev/prune", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("prune: %d\n%s", resp.StatusCode, body)
	}
	if _, body := b.get("/apps/shop/envs/dev"); !strings.Contains(body, "0 orphaned resource(s) pruned, 3 forgotten.") {
		t.Errorf("the page does not say what the prune did")
	}
	rs, err := dc.ListResources(ctx, "shop", "dev")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Status == paved.ResourceOrphaned && r.UID != "redis.default#web.cache" {
			t.Errorf("%s is still orphaned after the prune", r.UID)
		}
	}
}
