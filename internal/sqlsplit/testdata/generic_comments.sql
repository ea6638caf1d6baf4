-- Generic: nested block comments, -- comments, no # comments.
/* outer /* inner; */ still; */
SELECT 1 /* a; */ + 2; -- c;
SELECT 3 # 4;
SELECT E'\';', `b;`, "c;" ;
SELECT $tag$ ; $tag$;
