INFO  [alembic.runtime.migration] Context impl SQLiteImpl.
INFO  [alembic.runtime.migration] Generating static SQL
INFO  [alembic.runtime.migration] Will assume non-transactional DDL.
INFO  [alembic.runtime.migration] Running downgrade 3f1b2c4d5e6f -> 27c6a30d7c24, ae1027a6acf, merge audit and account
-- Running downgrade 3f1b2c4d5e6f -> 27c6a30d7c24, ae1027a6acf

INSERT INTO alembic_version (version_num) VALUES ('27c6a30d7c24');

UPDATE alembic_version SET version_num='ae1027a6acf' WHERE alembic_version.version_num = '3f1b2c4d5e6f';

INFO  [alembic.runtime.migration] Running downgrade 27c6a30d7c24 -> 1975ea83b712, add audit
-- Running downgrade 27c6a30d7c24 -> 1975ea83b712

DROP INDEX ix_audit_note;

DROP TABLE audit;

DELETE FROM alembic_version WHERE alembic_version.version_num = '27c6a30d7c24';

INFO  [alembic.runtime.migration] Running downgrade ae1027a6acf -> 1975ea83b712, add last transaction date
-- Running downgrade ae1027a6acf -> 1975ea83b712

ALTER TABLE account DROP COLUMN last_transaction_date;

UPDATE alembic_version SET version_num='1975ea83b712' WHERE alembic_version.version_num = 'ae1027a6acf';

INFO  [alembic.runtime.migration] Running downgrade 1975ea83b712 -> , create account
-- Running downgrade 1975ea83b712 -> 

DROP TABLE account;

DELETE FROM alembic_version WHERE alembic_version.version_num = '1975ea83b712';

DROP TABLE alembic_version;

