INFO  [alembic.runtime.migration] Context impl MySQLImpl.
INFO  [alembic.runtime.migration] Generating static SQL
INFO  [alembic.runtime.migration] Will assume non-transactional DDL.
CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL, 
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

INFO  [alembic.runtime.migration] Running upgrade  -> 0a1b2c3d4e01, create users
-- Running upgrade  -> 0a1b2c3d4e01

CREATE TABLE users (
    id INTEGER NOT NULL AUTO_INCREMENT, 
    name VARCHAR(100) NOT NULL, 
    PRIMARY KEY (id)
);

INSERT INTO alembic_version (version_num) VALUES ('0a1b2c3d4e01');

INFO  [alembic.runtime.migration] Running upgrade 0a1b2c3d4e01 -> 0a1b2c3d4e02, add users email
-- Running upgrade 0a1b2c3d4e01 -> 0a1b2c3d4e02

ALTER TABLE users ADD COLUMN email VARCHAR(200);

UPDATE alembic_version SET version_num='0a1b2c3d4e02' WHERE alembic_version.version_num = '0a1b2c3d4e01';

INFO  [alembic.runtime.migration] Running upgrade 0a1b2c3d4e02 -> 0a1b2c3d4e03, create posts
-- Running upgrade 0a1b2c3d4e02 -> 0a1b2c3d4e03

CREATE TABLE posts (
    id INTEGER NOT NULL AUTO_INCREMENT, 
    user_id INTEGER NOT NULL, 
    title VARCHAR(200) NOT NULL, 
    PRIMARY KEY (id), 
    FOREIGN KEY(user_id) REFERENCES users (id)
);

UPDATE alembic_version SET version_num='0a1b2c3d4e03' WHERE alembic_version.version_num = '0a1b2c3d4e02';

INFO  [alembic.runtime.migration] Running upgrade 0a1b2c3d4e03 -> 0a1b2c3d4e04, create tags
-- Running upgrade 0a1b2c3d4e03 -> 0a1b2c3d4e04

CREATE TABLE tags (
    id INTEGER NOT NULL AUTO_INCREMENT, 
    label VARCHAR(50) NOT NULL, 
    PRIMARY KEY (id), 
    UNIQUE (label)
);

UPDATE alembic_version SET version_num='0a1b2c3d4e04' WHERE alembic_version.version_num = '0a1b2c3d4e03';

INFO  [alembic.runtime.migration] Running upgrade 0a1b2c3d4e04 -> 0a1b2c3d4e06, create comments
-- Running upgrade 0a1b2c3d4e04 -> 0a1b2c3d4e06

CREATE TABLE comments (
    id INTEGER NOT NULL AUTO_INCREMENT, 
    post_id INTEGER NOT NULL, 
    body TEXT NOT NULL, 
    PRIMARY KEY (id), 
    FOREIGN KEY(post_id) REFERENCES posts (id)
);

UPDATE alembic_version SET version_num='0a1b2c3d4e06' WHERE alembic_version.version_num = '0a1b2c3d4e04';

INFO  [alembic.runtime.migration] Running upgrade 0a1b2c3d4e04 -> 0a1b2c3d4e05, create post tags
-- Running upgrade 0a1b2c3d4e04 -> 0a1b2c3d4e05

CREATE TABLE post_tags (
    post_id INTEGER NOT NULL, 
    tag_id INTEGER NOT NULL, 
    PRIMARY KEY (post_id, tag_id), 
    FOREIGN KEY(post_id) REFERENCES posts (id), 
    FOREIGN KEY(tag_id) REFERENCES tags (id)
);

INSERT INTO alembic_version (version_num) VALUES ('0a1b2c3d4e05');

INFO  [alembic.runtime.migration] Running upgrade 0a1b2c3d4e05, 0a1b2c3d4e06 -> 0a1b2c3d4e07, merge tags and comments
-- Running upgrade 0a1b2c3d4e05, 0a1b2c3d4e06 -> 0a1b2c3d4e07

DELETE FROM alembic_version WHERE alembic_version.version_num = '0a1b2c3d4e05';

UPDATE alembic_version SET version_num='0a1b2c3d4e07' WHERE alembic_version.version_num = '0a1b2c3d4e06';

INFO  [alembic.runtime.migration] Running upgrade 0a1b2c3d4e07 -> 0a1b2c3d4e08, add posts body
-- Running upgrade 0a1b2c3d4e07 -> 0a1b2c3d4e08

ALTER TABLE posts ADD COLUMN body TEXT;

UPDATE alembic_version SET version_num='0a1b2c3d4e08' WHERE alembic_version.version_num = '0a1b2c3d4e07';

INFO  [alembic.runtime.migration] Running upgrade 0a1b2c3d4e08 -> 0a1b2c3d4e09, create audit
-- Running upgrade 0a1b2c3d4e08 -> 0a1b2c3d4e09

CREATE TABLE audit (
    id INTEGER NOT NULL AUTO_INCREMENT, 
    note TEXT, 
    PRIMARY KEY (id)
);

UPDATE alembic_version SET version_num='0a1b2c3d4e09' WHERE alembic_version.version_num = '0a1b2c3d4e08';

INFO  [alembic.runtime.migration] Running upgrade 0a1b2c3d4e09 -> 0a1b2c3d4e10, add users created
-- Running upgrade 0a1b2c3d4e09 -> 0a1b2c3d4e10

ALTER TABLE users ADD COLUMN created DATE;

UPDATE alembic_version SET version_num='0a1b2c3d4e10' WHERE alembic_version.version_num = '0a1b2c3d4e09';

INFO  [alembic.runtime.migration] Running upgrade 0a1b2c3d4e10 -> 0a1b2c3d4e11, index posts title
-- Running upgrade 0a1b2c3d4e10 -> 0a1b2c3d4e11

CREATE INDEX ix_posts_title ON posts (title);

UPDATE alembic_version SET version_num='0a1b2c3d4e11' WHERE alembic_version.version_num = '0a1b2c3d4e10';

