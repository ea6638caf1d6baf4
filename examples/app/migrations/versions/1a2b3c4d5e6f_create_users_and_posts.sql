-- create users and posts
--
-- Revision: 1a2b3c4d5e6f
-- Revises:
-- Created: 2026-11-21 20:49:21 UTC

-- +upgrade
CREATE TABLE posts (
  id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  title VARCHAR(200) NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT posts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
);

CREATE INDEX posts_user_id_idx ON posts (user_id);

CREATE TABLE users (
  id INTEGER NOT NULL,
  name VARCHAR(80) NOT NULL,
  display VARCHAR(80),
  PRIMARY KEY (id)
);

-- +downgrade
DROP TABLE "users";

DROP TABLE "posts";
