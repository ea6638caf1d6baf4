INFO  [alembic.runtime.migration] Context impl SQLiteImpl.
INFO  [alembic.runtime.migration] Generating static SQL
INFO  [alembic.runtime.migration] Will assume non-transactional DDL.
CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL, 
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);

INFO  [alembic.runtime.migration] Running upgrade  -> 1975ea83b712, create account
-- Running upgrade  -> 1975ea83b712

CREATE TABLE account (
    id INTEGER NOT NULL, 
    name VARCHAR(50) NOT NULL, 
    description VARCHAR(200), 
    PRIMARY KEY (id)
);

INSERT INTO alembic_version (version_num) VALUES ('1975ea83b712');

INFO  [alembic.runtime.migration] Running upgrade 1975ea83b712 -> ae1027a6acf, add last transaction date
-- Running upgrade 1975ea83b712 -> ae1027a6acf

ALTER TABLE account ADD COLUMN last_transaction_date DATE;

UPDATE alembic_version SET version_num='ae1027a6acf' WHERE alembic_version.version_num = '1975ea83b712';

INFO  [alembic.runtime.migration] Running upgrade 1975ea83b712 -> 27c6a30d7c24, add audit
-- Running upgrade 1975ea83b712 -> 27c6a30d7c24

CREATE TABLE audit (
    id INTEGER NOT NULL, 
    note TEXT, 
    PRIMARY KEY (id)
);

CREATE INDEX ix_audit_note ON audit (note);

INSERT INTO alembic_version (version_num) VALUES ('27c6a30d7c24');

INFO  [alembic.runtime.migration] Running upgrade 27c6a30d7c24, ae1027a6acf -> 3f1b2c4d5e6f, merge audit and account
-- Running upgrade 27c6a30d7c24, ae1027a6acf -> 3f1b2c4d5e6f

DELETE FROM alembic_version WHERE alembic_version.version_num = '27c6a30d7c24';

UPDATE alembic_version SET version_num='3f1b2c4d5e6f' WHERE alembic_version.version_num = 'ae1027a6acf';

