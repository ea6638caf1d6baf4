/* A nested /* block */ comment; still a comment */
SELECT 1; /* trailing */
-- line comment; with a semicolon
SELECT /* inside /* nested; */ kept */ 2 -- dropped trailing comment
;
SELECT 3--4
;
/* only a comment */;
;;
SELECT 4
