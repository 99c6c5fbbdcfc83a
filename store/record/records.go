package record

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"paved.dev/paved"
)

// PrepareTeam validates t, stamps CreatedAt and returns the budget column.
func PrepareTeam(t *paved.Team) (budget string, err error) {
	if err := Required("team", "name", t.Name); err != nil {
		return "", err
	}
	if budget, err = EncodeBudget(t.Budget); err != nil {
		return "", err
	}
	Stamp(&t.CreatedAt)
	return budget, nil
}

// EncodeBudget returns a team's budget column: JSON null for a team
// without a budget (nil).
func EncodeBudget(b *paved.Budget) (string, error) {
	return Encode(b)
}

// DecodeTeam decodes the budget column into t: nil when null or empty.
func DecodeTeam[T JSON](t *paved.Team, budget T) error {
	return Decode(budget, &t.Budget, "team budget")
}

// PrepareUser validates u, stamps CreatedAt and returns the teams column.
func PrepareUser(u *paved.User) (teams string, err error) {
	if err := Required("user", "name", u.Name, "role", string(u.Role)); err != nil {
		return "", err
	}
	if teams, err = Encode(u.Teams); err != nil {
		return "", err
	}
	Stamp(&u.CreatedAt)
	return teams, nil
}

// DecodeUser decodes the teams column into u.
func DecodeUser[T JSON](u *paved.User, teams T) error {
	return Decode(teams, &u.Teams, "user teams")
}

// PrepareToken validates t and fills what the store assigns: an ID when
// empty, CreatedAt now when zero.
func PrepareToken(t *paved.Token) error {
	if err := Required("token", "user", t.User); err != nil {
		return err
	}
	if len(t.Hash) == 0 {
		return paved.Errorf(paved.EINVALID, "token: hash is required")
	}
	if t.ID == "" {
		t.ID = NewID()
	}
	Stamp(&t.CreatedAt)
	t.ExpiresAt = StampPtr(t.ExpiresAt)
	return nil
}

// PrepareApp validates a and stamps CreatedAt.
func PrepareApp(a *paved.App) error {
	if err := Required("app", "name", a.Name, "team", a.Team); err != nil {
		return err
	}
	Stamp(&a.CreatedAt)
	return nil
}

// Environment is an Environment's JSON columns, encoded.
type Environment struct {
	Values, Health string
}

// PrepareEnvironment validates e, gives it an ID when it has none, stamps
// its times and encodes its JSON columns.
func PrepareEnvironment(e *paved.Environment) (Environment, error) {
	var enc Environment
	if err := Required("environment", "app", e.App, "name", e.Name, "type", string(e.Type)); err != nil {
		return enc, err
	}
	if e.ID == "" {
		e.ID = "e-" + NewID()[:16]
	}
	var err error
	if enc.Values, err = Encode(e.Values); err != nil {
		return enc, err
	}
	if enc.Health, err = EncodeHealth(e.Health); err != nil {
		return enc, err
	}
	Stamp(&e.CreatedAt)
	e.ExpiresAt = StampPtr(e.ExpiresAt)
	return enc, nil
}

// EncodeHealth encodes an environment's health column.
func EncodeHealth(h *paved.EnvironmentHealth) (string, error) {
	if h != nil {
		Stamp(&h.At)
	}
	return Encode(h)
}

// DecodeEnvironment decodes the JSON columns into e.
func DecodeEnvironment[T JSON](e *paved.Environment, values, health T) error {
	if err := Decode(values, &e.Values, "environment values"); err != nil {
		return err
	}
	return Decode(health, &e.Health, "environment health")
}

// PrepareDefinition validates d.
func PrepareDefinition(d *paved.ResourceDefinition) error {
	return Required("definition", "id", d.ID, "type", d.Type, "driver", d.Driver)
}

// EncodeDefinition returns the body column of d's given version.
func EncodeDefinition(d *paved.ResourceDefinition, version int) (string, error) {
	v := *d
	v.Version = version
	return Encode(&v)
}

// DecodeDefinition returns the definition of a body column and its version.
// Unlike other columns a body is never empty.
func DecodeDefinition[T JSON](body T, version int) (paved.ResourceDefinition, error) {
	var d paved.ResourceDefinition
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		return d, fmt.Errorf("decode definition: %w", err)
	}
	d.Version = version
	return d, nil
}

// PreparePolicy validates p and keeps its CreatedAt as the stores keep times
// (UTC, to the microsecond). A zero CreatedAt stays zero: the platform
// stamps policies before storing them. The description and module must be
// valid UTF-8 without NUL characters, which PostgreSQL's jsonb cannot hold
// and which JSON would otherwise replace: what is stored comes back exactly,
// from either store.
func PreparePolicy(p *paved.Policy) error {
	if err := Required("policy", "id", p.ID, "owner", string(p.Owner), "kind", string(p.Kind), "module", p.Module); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"description", p.Description}, {"module", p.Module}} {
		if !utf8.ValidString(f.v) {
			return paved.Errorf(paved.EINVALID, "policy %s: %s is not valid UTF-8", p.ID, f.name)
		}
		if strings.ContainsRune(f.v, 0) {
			return paved.Errorf(paved.EINVALID, "policy %s: %s contains a NUL character", p.ID, f.name)
		}
	}
	if !p.CreatedAt.IsZero() {
		p.CreatedAt = Time(p.CreatedAt)
	}
	return nil
}

// EncodePolicy returns the body column of p's given version: the whole
// policy, as a definition's body is the whole definition.
func EncodePolicy(p *paved.Policy, version int) (string, error) {
	v := *p
	v.Version = version
	return Encode(&v)
}

// DecodePolicy returns the policy of a body column and its version. Unlike
// other columns a body is never empty.
func DecodePolicy[T JSON](body T, version int) (paved.Policy, error) {
	var p paved.Policy
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		return p, fmt.Errorf("decode policy: %w", err)
	}
	p.Version = version
	return p, nil
}

// PreparePriceList refuses a nil price list and keeps its UpdatedAt as the
// stores keep times (UTC, to the microsecond). A zero UpdatedAt stays zero:
// the platform stamps price lists before storing them, as it does policies.
func PreparePriceList(pl *paved.PriceList) error {
	if pl == nil {
		return paved.Errorf(paved.EINVALID, "price list: none given")
	}
	if !pl.UpdatedAt.IsZero() {
		pl.UpdatedAt = Time(pl.UpdatedAt)
	}
	return nil
}

// EncodePriceList returns the body column of pl's given version: the whole
// price list, as a policy's body is the whole policy. Prices that JSON
// cannot hold (NaN, infinities) are EINVALID.
func EncodePriceList(pl *paved.PriceList, version int) (string, error) {
	v := *pl
	v.Version = version
	body, err := Encode(&v)
	if err != nil {
		return "", paved.Errorf(paved.EINVALID, "price list: %v", err)
	}
	return body, nil
}

// DecodePriceList returns the price list of a body column and its version.
// Unlike other columns a body is never empty.
func DecodePriceList[T JSON](body T, version int) (paved.PriceList, error) {
	var pl paved.PriceList
	if err := json.Unmarshal([]byte(body), &pl); err != nil {
		return pl, fmt.Errorf("decode price list: %w", err)
	}
	pl.Version = version
	return pl, nil
}

// Resource is a StoredResource's JSON columns, encoded.
type Resource struct {
	Outputs, SecretNames, Labels string
}

// PrepareResource validates r, stamps UpdatedAt and encodes its JSON
// columns.
func PrepareResource(r *paved.StoredResource) (Resource, error) {
	var e Resource
	if err := Required("resource", "app", r.App, "env", r.Env, "uid", string(r.UID), "definition", r.DefinitionID); err != nil {
		return e, err
	}
	switch r.Status {
	case "":
		r.Status = paved.ResourceActive
	case paved.ResourceActive, paved.ResourceOrphaned:
	default:
		return e, paved.Errorf(paved.EINVALID, "resource: status %q is neither active nor orphaned", r.Status)
	}
	var err error
	if e.Outputs, err = Encode(r.Outputs); err != nil {
		return Resource{}, err
	}
	if e.SecretNames, err = Encode(r.SecretNames); err != nil {
		return Resource{}, err
	}
	if e.Labels, err = Encode(r.Labels); err != nil {
		return Resource{}, err
	}
	Stamp(&r.UpdatedAt)
	return e, nil
}

// DecodeResource decodes a resource's JSON columns into r.
func DecodeResource[T JSON](r *paved.StoredResource, outputs, secretNames, labels T) error {
	if err := Decode(outputs, &r.Outputs, "resource outputs"); err != nil {
		return err
	}
	if err := Decode(secretNames, &r.SecretNames, "resource secret names"); err != nil {
		return err
	}
	return Decode(labels, &r.Labels, "resource labels")
}

// Deployment is a Deployment's JSON columns, encoded.
type Deployment struct {
	Specs, Plan, Objects, Inventory string
}

// PrepareDeployment validates a new deployment d, fills what the store
// assigns (an ID when empty, kind deploy and status queued when empty,
// CreatedAt now when zero), stamps its other times and encodes its JSON
// columns.
func PrepareDeployment(d *paved.Deployment) (Deployment, error) {
	if err := Required("deployment", "app", d.App, "env", d.Env); err != nil {
		return Deployment{}, err
	}
	if d.ID == "" {
		d.ID = NewID()
	}
	if d.Kind == "" {
		d.Kind = paved.KindDeploy
	}
	if d.Status == "" {
		d.Status = paved.DeploymentQueued
	}
	Stamp(&d.CreatedAt)
	d.CommitTime = StampPtr(d.CommitTime)
	d.StartedAt = StampPtr(d.StartedAt)
	d.FinishedAt = StampPtr(d.FinishedAt)
	var e Deployment
	var err error
	if e.Specs, err = Encode(d.Specs); err != nil {
		return e, err
	}
	if e.Plan, err = Encode(d.Plan); err != nil {
		return e, err
	}
	if e.Objects, e.Inventory, err = EncodeResult(&d.DeploymentResult); err != nil {
		return e, err
	}
	return e, nil
}

// EncodeResult encodes a deployment result's JSON columns.
func EncodeResult(r *paved.DeploymentResult) (objects, inventory string, err error) {
	if objects, err = Encode(r.Objects); err != nil {
		return "", "", err
	}
	if inventory, err = Encode(r.Inventory); err != nil {
		return "", "", err
	}
	return objects, inventory, nil
}

// CheckFinish validates the final state of a deployment.
func CheckFinish(status paved.DeploymentStatus) error {
	if !status.Finished() {
		return paved.Errorf(paved.EINVALID, "deployment: a deployment finishes as succeeded or failed, not %q", status)
	}
	return nil
}

// DecodeDeployment decodes a deployment's JSON columns into d; specs, plan
// and objects are empty when the read left them out.
func DecodeDeployment[T JSON](d *paved.Deployment, specs, plan, objects, inventory T) error {
	if err := Decode(specs, &d.Specs, "deployment specs"); err != nil {
		return err
	}
	if err := Decode(plan, &d.Plan, "deployment plan"); err != nil {
		return err
	}
	if err := Decode(objects, &d.Objects, "deployment objects"); err != nil {
		return err
	}
	return Decode(inventory, &d.Inventory, "deployment inventory")
}

// NotMine is the ECONFLICT of a deployment that is not in the state the
// caller expects or is another server's.
func NotMine(id, runner, want string) error {
	return paved.Errorf(paved.ECONFLICT, "deployment %s is not %s for server %s: another server or the orphan check has moved it on", id, want, runner)
}

// NotFinished explains a FinishDeployment with a lease that wrote nothing,
// from the deployment's status and runner read after it: moved on by
// another, or still runner's but the lease no longer is.
func NotFinished(id, runner, lease, status, current string) error {
	if current == runner && (status == string(paved.DeploymentRunning) || status == string(paved.DeploymentQueued)) {
		return paved.Errorf(paved.ECONFLICT, "deployment %s: server %s no longer holds lease %s (another server took it, or it expired): its result was not recorded", id, runner, lease)
	}
	return NotMine(id, runner, "running")
}

// PrepareAudit validates e and stamps its Time.
func PrepareAudit(e *paved.AuditEntry) error {
	if err := Required("audit entry", "actor", e.Actor, "action", e.Action); err != nil {
		return err
	}
	Stamp(&e.Time)
	return nil
}

// PrepareTarget validates t and stamps CreatedAt.
func PrepareTarget(t *paved.TargetInfo) error {
	if err := Required("target", "name", t.Name, "type", t.Type); err != nil {
		return err
	}
	Stamp(&t.CreatedAt)
	return nil
}

// StatusList is deployment statuses as an SQL list of literals, for the
// partial index of unfinished deployments; an unknown status is refused, so
// that nothing but the four literals reaches the SQL.
func StatusList(sts []paved.DeploymentStatus) (string, error) {
	lits := make([]string, len(sts))
	for i, s := range sts {
		if !s.Valid() {
			var known []string
			for _, k := range paved.DeploymentStatuses() {
				known = append(known, string(k))
			}
			return "", paved.Errorf(paved.EINVALID, "deployment status %q is not one of %s", s, strings.Join(known, ", "))
		}
		lits[i] = "'" + string(s) + "'"
	}
	return strings.Join(lits, ", "), nil
}

// LeaveTeam takes team out of u's teams and returns the teams column; a
// user left in no team has none (nil, stored as JSON null), as one created
// without teams.
func LeaveTeam(u *paved.User, team string) (string, error) {
	u.Teams = slices.DeleteFunc(u.Teams, func(t string) bool { return t == team })
	if len(u.Teams) == 0 {
		u.Teams = nil
	}
	return Encode(u.Teams)
}

// DeploymentApps returns the apps of ds, each once, in order: the apps a
// store checks exist before it stores ds.
func DeploymentApps(ds []*paved.Deployment) []string {
	var apps []string
	for _, d := range ds {
		if !slices.Contains(apps, d.App) {
			apps = append(apps, d.App)
		}
	}
	return apps
}

// waiverStatuses are the states a stored waiver may be in.
var waiverStatuses = []paved.WaiverStatus{paved.WaiverRequested, paved.WaiverApproved, paved.WaiverRejected}

// PrepareWaiver validates a new waiver w, whose caller set its ID and every
// field: the ID, rule, app, env, reason, status (requested, approved or
// rejected), requester, owner and expiry are required; a zero RequestedAt
// is now. Its times are kept as the stores keep times (UTC, to the
// microsecond). Its text must be valid UTF-8 without NUL characters, which
// PostgreSQL's text columns refuse: what is stored comes back exactly, from
// either store.
func PrepareWaiver(w *paved.Waiver) error {
	if err := Required("waiver", "id", w.ID, "rule", w.Rule, "app", w.App, "env", w.Env, "reason", w.Reason,
		"status", string(w.Status), "requested_by", w.RequestedBy, "owner", string(w.Owner)); err != nil {
		return err
	}
	if !slices.Contains(waiverStatuses, w.Status) {
		return paved.Errorf(paved.EINVALID, "waiver %s: status %q is not one of requested, approved, rejected", w.ID, w.Status)
	}
	if w.ExpiresAt.IsZero() {
		return paved.Errorf(paved.EINVALID, "waiver: expires_at is required")
	}
	for _, f := range []struct{ name, v string }{{"id", w.ID}, {"rule", w.Rule}, {"app", w.App}, {"env", w.Env},
		{"reason", w.Reason}, {"requested_by", w.RequestedBy}, {"owner", string(w.Owner)}, {"decided_by", w.DecidedBy}} {
		if err := plainText("waiver", f.name, f.v); err != nil {
			return err
		}
	}
	Stamp(&w.RequestedAt)
	w.ExpiresAt = Time(w.ExpiresAt)
	w.DecidedAt = StampPtr(w.DecidedAt)
	return nil
}

// PrepareDecision validates a decision of a waiver (approved or rejected,
// by someone) and returns its time as the stores keep it; a zero time is
// now.
func PrepareDecision(status paved.WaiverStatus, by string, at time.Time) (time.Time, error) {
	if status != paved.WaiverApproved && status != paved.WaiverRejected {
		return time.Time{}, paved.Errorf(paved.EINVALID, "waiver: a decision approves or rejects, not %q", status)
	}
	if err := Required("waiver decision", "by", by); err != nil {
		return time.Time{}, err
	}
	if err := plainText("waiver decision", "by", by); err != nil {
		return time.Time{}, err
	}
	Stamp(&at)
	return at, nil
}

// plainText refuses text that is not valid UTF-8 or holds a NUL character.
func plainText(what, name, v string) error {
	if !utf8.ValidString(v) {
		return paved.Errorf(paved.EINVALID, "%s: %s is not valid UTF-8", what, name)
	}
	if strings.ContainsRune(v, 0) {
		return paved.Errorf(paved.EINVALID, "%s: %s contains a NUL character", what, name)
	}
	return nil
}

// PrepareSignOff validates a sign-off s: the app, role and signer are
// required; a zero At is now. Its time is kept as the stores keep times
// (UTC, to the microsecond), and its text must be valid UTF-8 without NUL
// characters, as a waiver's. Valid and Invalid are not stored: the
// platform computes them.
func PrepareSignOff(s *paved.SignOff) error {
	if err := Required("sign-off", "app", s.App, "role", string(s.Role), "by", s.By); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"app", s.App}, {"role", string(s.Role)}, {"by", s.By},
		{"policies_digest", s.Policies}, {"types_digest", s.Types}} {
		if err := plainText("sign-off", f.name, f.v); err != nil {
			return err
		}
	}
	Stamp(&s.At)
	return nil
}

// MVPModeKey is the settings row of the MVP mode an admin sets at run time.
const MVPModeKey = "mvp_mode"

// EncodeMVPMode is the stored value of an MVP mode: "on" or "off".
func EncodeMVPMode(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// DecodeMVPMode reads a stored MVP mode; anything but "on" or "off" is an
// error, not a guess.
func DecodeMVPMode(v string) (bool, error) {
	switch v {
	case "on":
		return true, nil
	case "off":
		return false, nil
	}
	return false, fmt.Errorf("settings: %s is %q, want on or off", MVPModeKey, v)
}
