package record

import (
	"fmt"
	"strings"

	"paved.dev/paved"
)

// Exists is the ECONFLICT of a record whose key is taken, such as
// Exists("app", "shop"): app "shop" already exists.
func Exists(kind, key string) error {
	return paved.Errorf(paved.ECONFLICT, "%s %q already exists", kind, key)
}

// NotFound is the ENOTFOUND of a missing record, such as
// NotFound("app", "shop"): app "shop" not found.
func NotFound(kind, key string) error {
	return paved.Errorf(paved.ENOTFOUND, "%s %q not found", kind, key)
}

// EnvironmentKey is how errors name an app's environment: app/name.
func EnvironmentKey(app, name string) string { return app + "/" + name }

// TokenHashExists is the ECONFLICT of a token whose hash another token has;
// it does not quote the hash.
func TokenHashExists() error {
	return paved.Errorf(paved.ECONFLICT, "a token with this hash already exists")
}

// TokenNotFound is the ENOTFOUND of a token hash no token has; it does not
// quote the hash. (A token that has expired or was revoked is found: its
// state is the caller's to judge.)
func TokenNotFound() error {
	return paved.Errorf(paved.ENOTFOUND, "token not found")
}

// NoSuccessfulDeployment is the ENOTFOUND of an environment incarnation
// that has never been deployed successfully.
func NoSuccessfulDeployment(envID string) error {
	return paved.Errorf(paved.ENOTFOUND, "environment %s has no successful deployment", envID)
}

// NoPriceList is the ENOTFOUND of an installation whose price list was
// never applied.
func NoPriceList() error {
	return paved.Errorf(paved.ENOTFOUND, "no price list: finance applies one with paved prices apply -f prices.yaml")
}

// NoWaiver is the ENOTFOUND of a missing waiver.
func NoWaiver(id string) error {
	return paved.Errorf(paved.ENOTFOUND, "no waiver %s", id)
}

// WaiverDecided is the ECONFLICT of deciding a waiver that is no longer
// requested: status is its decision.
func WaiverDecided(id string, status paved.WaiverStatus) error {
	return paved.Errorf(paved.ECONFLICT, "waiver %s is already %s", id, status)
}

// DefinitionVersionNotFound is the ENOTFOUND of a missing definition version.
func DefinitionVersionNotFound(id string, version int) error {
	return paved.Errorf(paved.ENOTFOUND, "definition %q has no version %d", id, version)
}

// ResourceNotFound is the ENOTFOUND of a missing resource of an environment.
func ResourceNotFound(k paved.ResourceKey) error {
	return paved.Errorf(paved.ENOTFOUND, "resource %q of definition %s (driver %s) not found in %s/%s", k.UID, k.Definition, k.Driver, k.App, k.Env)
}

// EnvironmentInUse is the ECONFLICT of deleting an environment that still
// has resources.
func EnvironmentInUse(app, name string, resources int) error {
	return paved.Errorf(paved.ECONFLICT, "environment %q still has %d resource(s): deprovision them first",
		EnvironmentKey(app, name), resources)
}

// NamespaceTaken is the ECONFLICT of an environment whose namespace on its
// target is another environment's.
func NamespaceTaken(target, namespace, app, env string) error {
	return paved.Errorf(paved.ECONFLICT, "namespace %s on target %s is already environment %s/%s's; two environments sharing a namespace would overwrite and prune each other's objects: choose another environment name", namespace, target, app, env)
}

// InUseNames is how many of the records in the way a conflict names: the
// first few, by name.
const InUseNames = 3

// someOf names the first records in the way out of total, such as
// "cart, shop, web and 2 more".
func someOf(names []string, total int) string {
	s := strings.Join(names, ", ")
	if more := total - len(names); more > 0 {
		s += fmt.Sprintf(" and %d more", more)
	}
	return s
}

// TeamInUse is the ECONFLICT of deleting a team that still owns apps; apps
// are the first InUseNames of them by name, total how many there are.
func TeamInUse(team string, apps []string, total int) error {
	return paved.Errorf(paved.ECONFLICT, "team %q still owns %d app(s): %s; move each to another team (paved app update APP --team OTHER) or delete it (paved app delete APP) first",
		team, total, someOf(apps, total))
}

// AppInUse is the ECONFLICT of deleting an app that still has
// environments; envs are the first InUseNames of them by name, total how
// many there are.
func AppInUse(app string, envs []string, total int) error {
	return paved.Errorf(paved.ECONFLICT, "app %q still has %d environment(s): %s; delete them first (paved env delete ENV --app %s)",
		app, total, someOf(envs, total), app)
}

// NoTeam is the EINVALID of a record that names a team that does not
// exist, such as an app handed to it.
func NoTeam(team string) error {
	return paved.Errorf(paved.EINVALID, "team: no team %q", team)
}
