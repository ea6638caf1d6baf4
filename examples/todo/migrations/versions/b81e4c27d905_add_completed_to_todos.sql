-- add completed to todos
--
-- Revision: b81e4c27d905
-- Revises: 3a9f1c0d2b7e
-- Created: 2026-11-21 19:12:40 UTC

-- +upgrade
-- Existing rows get an explicit value: the seeds' "working with existing
-- data" step, done in the same revision as the column.
ALTER TABLE todos ADD COLUMN completed BOOLEAN;
UPDATE todos SET completed = FALSE WHERE completed IS NULL;

-- +downgrade
ALTER TABLE todos DROP COLUMN completed;
