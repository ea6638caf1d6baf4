-- create todos table
--
-- Revision: 3a9f1c0d2b7e
-- Revises:
-- Created: 2026-11-21 19:05:02 UTC

-- +upgrade
CREATE TABLE todos (
    id INTEGER PRIMARY KEY,
    description VARCHAR(200) NOT NULL
);

INSERT INTO todos (id, description) VALUES (1, 'learn retort');

-- +downgrade
DROP TABLE todos;
