-- Dollar quotes: $$, $tag$, a tag inside another body, and $1 parameters.
CREATE FUNCTION add(a int, b int) RETURNS int AS $$
  SELECT a + b; -- ';' inside the body
$$ LANGUAGE sql;

CREATE OR REPLACE FUNCTION trg() RETURNS trigger AS $body$
BEGIN
  EXECUTE $q$UPDATE t SET x = 1; $$ still inside $q$;
  RAISE NOTICE 'done; really';
  RETURN NEW;
END;
$body$ LANGUAGE plpgsql;

PREPARE p (int) AS SELECT $1 + 1; EXECUTE p(2);
DO $_$ BEGIN PERFORM 1; END $_$;
SELECT $äö$ unicode tag; $äö$ AS x;
SELECT a$b$c FROM t;
