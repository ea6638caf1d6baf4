# MySQL strings: backslash escapes, doubling, and "..." strings.
SELECT 'it\'s; ok', 'a''b;', "say \"hi\"; bye", "x"";y";
SELECT `odd``name;` FROM t; # hash comment; here
SELECT 1--1;
SELECT 2 -- a real comment; here
;
SELECT _utf8mb4'x;\\', N'y', X'3B';
SELECT $a, a$b FROM `t`;
SELECT /* /* not nested in MySQL */ 3;
