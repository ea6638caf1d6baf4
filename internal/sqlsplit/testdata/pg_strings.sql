-- Standard strings do not escape with a backslash; E'' strings do.
SELECT 'C:\path\'; SELECT 'it''s; fine';
SELECT E'it\'s;', e'\\'; SELECT U&'\0041;';
INSERT INTO "weird;""name" ("col;") VALUES (B'101'), (X'1F');
SELECT arr[1], arr[2:3] FROM t; SELECT `x; SELECT 1`;
SELECT 1 # 2; -- # is XOR here
