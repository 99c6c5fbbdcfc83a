-- The audit log by action, newest first: the portal reads the last probe of
-- every target and definition (action target.probe, definition.probe) on
-- its home and platform pages; without this index that read walked the
-- whole log.
CREATE INDEX audit_action_time ON audit (action, time, id);
