package amqp

import (
	"context"
	"crypto/rand"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"paved.dev/paved"
	"paved.dev/paved/driver/drivertest"
)

const (
	testAMQP = "127.0.0.1:5672"
	testAPI  = "http://127.0.0.1:15672"
)

// requireServer skips the test when RabbitMQ or its management API is not
// running, except in CI where that is a failure.
func requireServer(t *testing.T) {
	t.Helper()
	drivertest.RequireServer(t, "RabbitMQ with its management plugin", testAMQP, "127.0.0.1:15672")
}

func adminInputs() map[string]any {
	return map[string]any{"management_url": testAPI, "host": "127.0.0.1", "port": 5672, "username": "guest", "password": "guest"}
}

// uniqueRequest returns a request for a resource of an app that no other
// test run uses.
func uniqueRequest(t *testing.T, inputs map[string]any) *paved.ResourceRequest {
	t.Helper()
	return drivertest.UniqueRequest(t, "queue", &paved.ResourceDefinition{ID: "mq", Type: "amqp", Driver: "amqp", Inputs: inputs})
}

// apiStatus asks the management API, as guest, for path and returns the
// HTTP status.
func apiStatus(t *testing.T, method, path, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, testAPI+"/api/"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("guest", "guest")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestProvisionUseDeprovision(t *testing.T) {
	requireServer(t)
	t.Parallel()
	ctx := context.Background()
	d := New(nil)
	req := uniqueRequest(t, adminInputs())

	start := time.Now()
	res, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatalf("Provision: %v", err)
	}
	t.Logf("provisioned in %v", time.Since(start))
	t.Cleanup(func() {
		_ = d.Deprovision(ctx, &paved.ResourceRequest{UID: req.UID, Definition: req.Definition, Context: req.Context, State: res.State})
	})
	out := res.Outputs
	for _, k := range []string{"host", "port", "vhost", "username", "password", "uri"} {
		if out[k] == nil || out[k] == "" {
			t.Errorf("output %s is empty", k)
		}
	}
	vhost, user := out["vhost"].(string), out["username"].(string)
	if !strings.HasPrefix(vhost, "paved_"+req.Context.App+"_dev_web_queue_") {
		t.Errorf("vhost %q: want paved_<app>_dev_web_queue_<hash>", vhost)
	}

	// The user can declare a queue, publish and consume in its vhost.
	conn, err := amqp091.Dial(out["uri"].(string))
	if err != nil {
		t.Fatalf("connect as the created user: %v", err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	q, err := ch.QueueDeclare("orders", true, false, false, false, nil)
	if err != nil {
		t.Fatalf("declare a queue: %v", err)
	}
	if err := ch.PublishWithContext(ctx, "", q.Name, false, false, amqp091.Publishing{Body: []byte("hello")}); err != nil {
		t.Fatalf("publish: %v", err)
	}
	msgs, err := ch.Consume(q.Name, "", true, false, false, false, nil)
	if err != nil {
		t.Fatalf("consume: %v", err)
	}
	select {
	case m := <-msgs:
		if string(m.Body) != "hello" {
			t.Errorf("consumed %q, want hello", m.Body)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no message consumed within 5s")
	}
	if c, err := amqp091.Dial("amqp://" + user + ":wrong@" + testAMQP + "/" + vhost); err == nil {
		c.Close()
		t.Error("a wrong password was accepted")
	}
	if c, err := amqp091.Dial("amqp://" + user + ":" + out["password"].(string) + "@" + testAMQP + "/"); err == nil {
		c.Close()
		t.Error("the user could open the default vhost")
	}

	// Provisioning again with the state returns the same outputs.
	req.State = res.State
	start = time.Now()
	again, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatalf("Provision again: %v", err)
	}
	t.Logf("provisioned again in %v", time.Since(start))
	if !reflect.DeepEqual(again.Outputs, res.Outputs) {
		t.Errorf("outputs changed:\n got %v\nwant %v", again.Outputs, res.Outputs)
	}

	// With the state lost, the user stays and its password is reset.
	req.State = nil
	lost, err := d.Provision(ctx, req)
	if err != nil {
		t.Fatalf("Provision without state: %v", err)
	}
	if lost.Outputs["vhost"] != vhost || lost.Outputs["password"] == out["password"] {
		t.Errorf("without state: vhost %v, password changed %v; want same vhost, new password", lost.Outputs["vhost"], lost.Outputs["password"] != out["password"])
	}
	c2, err := amqp091.Dial(lost.Outputs["uri"].(string))
	if err != nil {
		t.Fatalf("connect with the reset password: %v", err)
	}
	c2.Close()

	req.State = lost.State
	start = time.Now()
	if err := d.Deprovision(ctx, req); err != nil {
		t.Fatalf("Deprovision: %v", err)
	}
	t.Logf("deprovisioned in %v", time.Since(start))
	if got := apiStatus(t, http.MethodGet, "vhosts/"+vhost, ""); got != http.StatusNotFound {
		t.Errorf("GET vhost after Deprovision = %d, want 404", got)
	}
	if got := apiStatus(t, http.MethodGet, "users/"+user, ""); got != http.StatusNotFound {
		t.Errorf("GET user after Deprovision = %d, want 404", got)
	}
	if err := d.Deprovision(ctx, req); err != nil {
		t.Errorf("Deprovision twice: %v", err)
	}
}

func TestDeprovisionRefusesForeignNames(t *testing.T) {
	t.Parallel()
	req := uniqueRequest(t, adminInputs())
	req.State = map[string]any{"vhost": "/", "username": "guest"}
	err := New(nil).Deprovision(context.Background(), req)
	if paved.ErrorCode(err) != paved.EINVALID || !strings.Contains(err.Error(), "refusing") {
		t.Errorf("err = %v, want a refusal", err)
	}
}

func TestBadInputs(t *testing.T) {
	requireServer(t)
	t.Parallel()
	ctx := context.Background()
	with := func(changes map[string]any) map[string]any { return drivertest.With(adminInputs(), changes) }
	tests := []struct {
		name     string
		inputs   map[string]any
		wantCode string
		wantMsg  string
		maxTime  time.Duration
	}{
		{"wrong password", with(map[string]any{"password": "secret-wrong"}), paved.EUNAUTHORIZED,
			`authentication failed for user "guest" at http://127.0.0.1:15672: check the definition's username/password`, 2 * time.Second},
		{"unreachable", with(map[string]any{"management_url": "http://127.0.0.1:1"}), paved.EUNAVAILABLE, "rabbitmq management API at http://127.0.0.1:1 is unavailable after 4 tries", 10 * time.Second},
		{"missing management_url", with(map[string]any{"management_url": nil}), paved.EINVALID, "management_url is required", time.Second},
		{"credentials in the URL", with(map[string]any{"management_url": "http://guest:secret-wrong@127.0.0.1:15672"}), paved.EINVALID, "management_url must not hold credentials", time.Second},
		{"not a URL", with(map[string]any{"management_url": "127.0.0.1:15672"}), paved.EINVALID, "management_url must be an http or https URL", time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			_, err := New(nil).Provision(ctx, uniqueRequest(t, tt.inputs))
			elapsed := time.Since(start)
			if got := paved.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to contain %q", err, tt.wantMsg)
			}
			if strings.Contains(err.Error(), "secret-wrong") {
				t.Errorf("err = %q shows the password", err)
			}
			if elapsed > tt.maxTime {
				t.Errorf("took %v, want under %v", elapsed, tt.maxTime)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	requireServer(t)
	t.Parallel()
	ctx := context.Background()
	d := New(nil)
	if err := d.Probe(ctx, adminInputs()); err != nil {
		t.Errorf("Check as guest: %v", err)
	}

	// A user with the management tag only.
	user := "paved_test_mgmt_" + strings.ToLower(rand.Text()[:8])
	if got := apiStatus(t, http.MethodPut, "users/"+user, `{"password":"pw","tags":"management"}`); got != http.StatusCreated && got != http.StatusNoContent {
		t.Fatalf("create user %s: %d", user, got)
	}
	t.Cleanup(func() { apiStatus(t, http.MethodDelete, "users/"+user, "") })
	in := adminInputs()
	in["username"], in["password"] = user, "pw"
	err := d.Probe(ctx, in)
	if paved.ErrorCode(err) != paved.EFORBIDDEN || !strings.Contains(err.Error(), "has tags [management], not administrator") {
		t.Errorf("Check as %s = %v, want it to say the administrator tag is missing", user, err)
	}

	in = adminInputs()
	in["port"] = 1
	if err := d.Probe(ctx, in); paved.ErrorCode(err) != paved.EUNAVAILABLE || !strings.Contains(err.Error(), "AMQP port 127.0.0.1:1") {
		t.Errorf("Check with a wrong AMQP port = %v, want it to say the port does not answer", err)
	}
}
