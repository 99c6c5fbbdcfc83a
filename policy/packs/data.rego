# The data pack: where classified data may live. A definition says what it
# provides in its metadata: classification (public, internal, confidential,
# pii), env_types it is meant for (comma separated), backups.
package paved.data

classified(r) if lower(r.definition.metadata.classification) in {"confidential", "pii"}

deny contains {"rule": "data-classified-in-preview", "msg": sprintf("%s is %s data (definition %s) in the preview environment %s", [r.uid, r.definition.metadata.classification, r.definition.id, input.environment.name]), "fix": "give previews a definition of unclassified data (criteria env_type: ephemeral)"} if {
	input.environment.type == "ephemeral"
	some r in input.resources
	r.action != "orphan"
	classified(r)
}

deny contains {"rule": "data-env-types", "msg": sprintf("%s: definition %s is for %s environments, not %s ones", [r.uid, r.definition.id, r.definition.metadata.env_types, input.environment.type]), "fix": "narrow the definition's criteria to those environment types"} if {
	some r in input.resources
	r.action != "orphan"
	types := r.definition.metadata.env_types
	types != ""
	not input.environment.type in {trim_space(t) | some t in split(types, ",")}
}

warn contains {"rule": "data-backups", "msg": sprintf("%s holds %s data without backups (definition %s)", [r.uid, r.definition.metadata.classification, r.definition.id]), "fix": "set metadata.backups on the definition, and back it up"} if {
	input.environment.type in {"staging", "production"}
	some r in input.resources
	r.action != "orphan"
	classified(r)
	not r.definition.metadata.backups
}

warn contains {"rule": "data-backups", "msg": sprintf("%s holds %s data without backups (definition %s)", [r.uid, r.definition.metadata.classification, r.definition.id]), "fix": "set metadata.backups on the definition, and back it up"} if {
	input.environment.type in {"staging", "production"}
	some r in input.resources
	r.action != "orphan"
	classified(r)
	lower(r.definition.metadata.backups) == "none"
}

deny contains {"rule": "data-region", "msg": sprintf("%s is %s data in region %q (definition %s); %s data may live in %s", [r.uid, c, object.get(r.definition.metadata, "region", "(none)"), r.definition.id, c, concat(", ", allowed)]), "fix": "give the environment a definition in an allowed region"} if {
	some r in input.resources
	r.action != "orphan"
	c := lower(object.get(r.definition.metadata, "classification", ""))
	allowed := input.settings.regions[c]
	count(allowed) > 0
	not object.get(r.definition.metadata, "region", "") in {x | some x in allowed}
}
