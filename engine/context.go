package engine

import (
	"regexp"
	"slices"
	"strings"

	"paved.dev/paved"
	"paved.dev/paved/definition"
	"paved.dev/paved/driver/template"
)

var namePattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// CheckName checks an app or environment name: it becomes part of
// namespaces, labels and file paths, so it must be a DNS label.
func CheckName(field, name string) error {
	if !namePattern.MatchString(name) {
		return paved.Errorf(paved.EINVALID, "%s: %q must be 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit", field, name)
	}
	return nil
}

// CheckContext checks where a deployment goes and fills in the namespace.
func CheckContext(dc paved.DeployContext) error {
	if err := CheckName("app", dc.App); err != nil {
		return err
	}
	if err := CheckName("env", dc.Env); err != nil {
		return err
	}
	if !slices.Contains(definition.EnvTypes, dc.EnvType) {
		return paved.Errorf(paved.EINVALID, "env type: %q is not one of %s", dc.EnvType, strings.Join(definition.EnvTypes, ", "))
	}
	if dc.Namespace != "" {
		return CheckName("namespace", dc.Namespace)
	}
	return nil
}

// Namespace is the namespace of an app's environment: "<app>-<env>".
func Namespace(app, env string) string { return template.DNSLabel(app, env) }
