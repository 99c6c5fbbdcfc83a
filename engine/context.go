package engine

import (
	"paved.dev/paved"
)

// ValidateContext checks where a deployment goes.
func ValidateContext(dc paved.DeployContext) error {
	if err := paved.ValidateName("app", dc.App); err != nil {
		return err
	}
	if err := paved.ValidateName("env", dc.Env); err != nil {
		return err
	}
	if !dc.EnvType.Valid() {
		return paved.Errorf(paved.EINVALID, "env type: %q is not one of %s", dc.EnvType, paved.EnvTypeList())
	}
	if dc.Namespace != "" {
		return paved.ValidateName("namespace", dc.Namespace)
	}
	return nil
}
