INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.
INFO  [alembic.runtime.migration] Generating static SQL
INFO  [alembic.runtime.migration] Will assume transactional DDL.
BEGIN;

INFO  [alembic.runtime.migration] Running downgrade 0a1b2c3d4e11 -> 0a1b2c3d4e10, index posts title
-- Running downgrade 0a1b2c3d4e11 -> 0a1b2c3d4e10

DROP INDEX ix_posts_title;

UPDATE alembic_version SET version_num='0a1b2c3d4e10' WHERE alembic_version.version_num = '0a1b2c3d4e11';

INFO  [alembic.runtime.migration] Running downgrade 0a1b2c3d4e10 -> 0a1b2c3d4e09, add users created
-- Running downgrade 0a1b2c3d4e10 -> 0a1b2c3d4e09

ALTER TABLE users DROP COLUMN created;

UPDATE alembic_version SET version_num='0a1b2c3d4e09' WHERE alembic_version.version_num = '0a1b2c3d4e10';

INFO  [alembic.runtime.migration] Running downgrade 0a1b2c3d4e09 -> 0a1b2c3d4e08, create audit
-- Running downgrade 0a1b2c3d4e09 -> 0a1b2c3d4e08

DROP TABLE audit;

UPDATE alembic_version SET version_num='0a1b2c3d4e08' WHERE alembic_version.version_num = '0a1b2c3d4e09';

INFO  [alembic.runtime.migration] Running downgrade 0a1b2c3d4e08 -> 0a1b2c3d4e07, add posts body
-- Running downgrade 0a1b2c3d4e08 -> 0a1b2c3d4e07

ALTER TABLE posts DROP COLUMN body;

UPDATE alembic_version SET version_num='0a1b2c3d4e07' WHERE alembic_version.version_num = '0a1b2c3d4e08';

INFO  [alembic.runtime.migration] Running downgrade 0a1b2c3d4e07 -> 0a1b2c3d4e05, 0a1b2c3d4e06, merge tags and comments
-- Running downgrade 0a1b2c3d4e07 -> 0a1b2c3d4e05, 0a1b2c3d4e06

INSERT INTO alembic_version (version_num) VALUES ('0a1b2c3d4e05') RETURNING alembic_version.version_num;

UPDATE alembic_version SET version_num='0a1b2c3d4e06' WHERE alembic_version.version_num = '0a1b2c3d4e07';

INFO  [alembic.runtime.migration] Running downgrade 0a1b2c3d4e05 -> 0a1b2c3d4e04, create post tags
-- Running downgrade 0a1b2c3d4e05 -> 0a1b2c3d4e04

DROP TABLE post_tags;

DELETE FROM alembic_version WHERE alembic_version.version_num = '0a1b2c3d4e05';

INFO  [alembic.runtime.migration] Running downgrade 0a1b2c3d4e06 -> 0a1b2c3d4e04, create comments
-- Running downgrade 0a1b2c3d4e06 -> 0a1b2c3d4e04

DROP TABLE comments;

UPDATE alembic_version SET version_num='0a1b2c3d4e04' WHERE alembic_version.version_num = '0a1b2c3d4e06';

INFO  [alembic.runtime.migration] Running downgrade 0a1b2c3d4e04 -> 0a1b2c3d4e03, create tags
-- Running downgrade 0a1b2c3d4e04 -> 0a1b2c3d4e03

DROP TABLE tags;

UPDATE alembic_version SET version_num='0a1b2c3d4e03' WHERE alembic_version.version_num = '0a1b2c3d4e04';

INFO  [alembic.runtime.migration] Running downgrade 0a1b2c3d4e03 -> 0a1b2c3d4e02, create posts
-- Running downgrade 0a1b2c3d4e03 -> 0a1b2c3d4e02

DROP TABLE posts;

UPDATE alembic_version SET version_num='0a1b2c3d4e02' WHERE alembic_version.version_num = '0a1b2c3d4e03';

INFO  [alembic.runtime.migration] Running downgrade 0a1b2c3d4e02 -> 0a1b2c3d4e01, add users email
-- Running downgrade 0a1b2c3d4e02 -> 0a1b2c3d4e01

ALTER TABLE users DROP COLUMN email;

UPDATE alembic_version SET version_num='0a1b2c3d4e01' WHERE alembic_version.version_num = '0a1b2c3d4e02';

INFO  [alembic.runtime.migration] Running downgrade 0a1b2c3d4e01 -> , create users
-- Running downgrade 0a1b2c3d4e01 -> 

DROP TABLE users;

DELETE FROM alembic_version WHERE alembic_version.version_num = '0a1b2c3d4e01';

DROP TABLE alembic_version;

COMMIT;

