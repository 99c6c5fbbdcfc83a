package record

import "paved.dev/paved"

// PrepareCheck validates a manual check: scope, id, title and role are
// required, every field plain text; CreatedAt is stamped when zero.
func PrepareCheck(c *paved.ManualCheck) error {
	if err := Required("check", "scope", c.Scope, "id", c.ID, "title", c.Title, "role", string(c.Role)); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"scope", c.Scope}, {"id", c.ID}, {"title", c.Title},
		{"how", c.How}, {"role", string(c.Role)}, {"created_by", c.CreatedBy}} {
		if err := plainText("check", f.name, f.v); err != nil {
			return err
		}
	}
	Stamp(&c.CreatedAt)
	return nil
}

// PrepareConfirmation validates a confirmation: every field is required
// and plain text; At is stamped when zero.
func PrepareConfirmation(c *paved.CheckConfirmation) error {
	if err := Required("confirmation", "scope", c.Scope, "check_id", c.CheckID, "subject", c.Subject,
		"by", c.By, "role", string(c.Role)); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"scope", c.Scope}, {"check_id", c.CheckID},
		{"subject", c.Subject}, {"by", c.By}, {"role", string(c.Role)}} {
		if err := plainText("confirmation", f.name, f.v); err != nil {
			return err
		}
	}
	Stamp(&c.At)
	return nil
}

// CheckRoleChanged is the error of a confirmation of a check whose role
// changed meanwhile.
func CheckRoleChanged(c *paved.CheckConfirmation) error {
	return paved.Errorf(paved.ECONFLICT, "check %s/%s is no longer confirmed by %s: it changed meanwhile; read it again", c.Scope, c.CheckID, c.Role)
}
