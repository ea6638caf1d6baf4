-- SQLite: "ids", [ids], `ids`, 'strings', non-nested comments.
SELECT "a;""b", [c;d], `e;``f`, 'g;''h' FROM t;
SELECT /* /* not nested */ 1;
SELECT x'3b', $param, :name, @at, ?1;
