-- psql does not split at ';' inside parentheses: rules with several actions.
CREATE TABLE t (a int);
CREATE TABLE u (a int);
CREATE TABLE v (a int);
CREATE RULE r AS ON INSERT TO t DO ALSO (
    INSERT INTO u VALUES (new.a);
    INSERT INTO v VALUES (new.a * 2)
);
INSERT INTO t VALUES (1);
SELECT (SELECT count(*) FROM u) + (SELECT count(*) FROM v);
