-- An app's on-call contact (paved.App.OnCall): who answers when the app
-- breaks, which production readiness asks for. Every existing app gets ''
-- (none set yet); ADD COLUMN with a constant default rewrites no table.

ALTER TABLE apps ADD COLUMN on_call TEXT NOT NULL DEFAULT '';
