-- An app's on-call contact (paved.App.OnCall): who answers when the app
-- breaks, which production readiness asks for. Every existing app gets ''
-- (none set yet); ADD COLUMN with a constant default rewrites no rows.

ALTER TABLE apps ADD COLUMN on_call text COLLATE "C" NOT NULL DEFAULT '';
