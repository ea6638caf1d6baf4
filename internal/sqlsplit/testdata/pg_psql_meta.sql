-- psql meta-commands are returned as their own statements.
\set ON_ERROR_STOP on
\c chinook;
CREATE TABLE a (x int);
\copy a FROM './a.csv' DELIMITER E'\t' CSV;
  \pset tuples_only on
SELECT 'not \a meta';
\dt (a|b).*
