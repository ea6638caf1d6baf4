-- create student table
--
-- Revision: 9f02447faa7d
-- Revises:
-- Created: 2026-11-21 19:05:02 UTC

-- +upgrade
CREATE TABLE students (
    id INTEGER PRIMARY KEY,
    name VARCHAR(80) NOT NULL
);

-- +downgrade
DROP TABLE students;
