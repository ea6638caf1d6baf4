-- backfill display names
--
-- Revision: 5f1c2e8a9b3d
-- Revises: 1a2b3c4d5e6f
-- Go: true
-- Created: 2026-11-21 20:49:21 UTC

-- +upgrade

-- +downgrade
