package sqlsplit

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// dialectOf returns the dialect named by the prefix of a test file name:
// pg_, mysql_, sqlite_ or generic_.
func dialectOf(t testing.TB, name string) Dialect {
	t.Helper()
	prefix, _, _ := strings.Cut(filepath.Base(name), "_")
	switch prefix {
	case "pg":
		return Postgres
	case "mysql":
		return MySQL
	case "sqlite":
		return SQLite
	case "generic":
		return Generic
	}
	t.Fatalf("%s: file name must start with pg_, mysql_, sqlite_ or generic_", name)
	return Generic
}

// render prints the result of a split in the golden format: one block per
// statement, headed by its number and line, or the error.
func render(stmts []Statement, err error) string {
	var b strings.Builder
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
		return b.String()
	}
	for i, s := range stmts {
		fmt.Fprintf(&b, "==== statement %d, line %d ====\n%s\n", i+1, s.Line, s.Text)
	}
	fmt.Fprintf(&b, "==== end: %d statements ====\n", len(stmts))
	return b.String()
}

// checkOffsets asserts the Start/End contract and ordering of stmts.
func checkOffsets(t testing.TB, script string, stmts []Statement) {
	t.Helper()
	prev := 0
	for i, s := range stmts {
		if s.Start < prev || s.End < s.Start || s.End > len(script) {
			t.Fatalf("statement %d: range [%d,%d) out of order or bounds (previous end %d, len %d)", i+1, s.Start, s.End, prev, len(script))
		}
		if script[s.Start:s.End] != s.Text {
			t.Fatalf("statement %d: script[%d:%d] = %q, Text = %q", i+1, s.Start, s.End, script[s.Start:s.End], s.Text)
		}
		if s.Text == "" {
			t.Fatalf("statement %d: empty Text", i+1)
		}
		if want := strings.Count(script[:s.Start], "\n") + 1; s.Line != want {
			t.Fatalf("statement %d: Line = %d, want %d", i+1, s.Line, want)
		}
		prev = s.End
	}
}

func TestGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/*.sql files")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".sql")
		t.Run(name, func(t *testing.T) {
			in, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			script := string(in)
			stmts, err := Split(script, dialectOf(t, file))
			if err == nil {
				checkOffsets(t, script, stmts)
			}
			got := render(stmts, err)
			golden := strings.TrimSuffix(file, ".sql") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./sqlsplit -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s: split differs from %s (-want +got):\n%s", file, golden, diff)
			}
		})
	}
}

func TestSyntaxErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		d      Dialect
		script string
		line   int
		msg    string
	}{
		{"string", Generic, "SELECT 1;\nSELECT 'it''s\n;\n", 2, "unterminated string literal"},
		{"pg escape string", Postgres, "SELECT 1;\n\nSELECT E'it\\'s;\n", 3, "unterminated string literal"},
		{"pg standard string ends at backslash quote", Postgres, "SELECT 'a\\';\nSELECT 'b", 2, "unterminated string literal"},
		{"mysql backslash string", MySQL, "SELECT 'a\\';\n", 1, "unterminated string literal"},
		{"mysql double quoted string", MySQL, "SELECT 1;\nSELECT \"a\n\n", 2, "unterminated string literal"},
		{"pg identifier", Postgres, "CREATE TABLE \"t\"\"x (a int);", 1, "unterminated quoted identifier"},
		{"sqlite bracket identifier", SQLite, "\nCREATE TABLE [t (a int);", 2, "unterminated quoted identifier"},
		{"mysql backtick identifier", MySQL, "SELECT 1;\n\n\nSELECT `a", 4, "unterminated quoted identifier"},
		{"block comment", SQLite, "SELECT 1; /* a\n*", 1, "unterminated block comment"},
		{"pg nested block comment", Postgres, "SELECT 1;\n/* a /* b */ c\n", 2, "unterminated block comment"},
		{"mysql conditional comment", MySQL, "\n/*!50003 SET x=1;", 2, "unterminated conditional comment /*!"},
		{"dollar quote", Postgres, "SELECT 1;\nDO $$ BEGIN\nEND $ $;", 2, "unterminated dollar quote $$"},
		{"tagged dollar quote", Postgres, "CREATE FUNCTION f() RETURNS int AS $body$\nSELECT 1 $bod$;\n", 1, "unterminated dollar quote $body$"},
		{"generic dollar quote", Generic, "\n\nSELECT $x$abc", 3, "unterminated dollar quote $x$"},
		{"sqlite trigger", SQLite, "CREATE TABLE t (a);\nCREATE TRIGGER tr AFTER INSERT ON t\nBEGIN\n  UPDATE t SET a = 1;\n", 3, "unterminated BEGIN block"},
		{"mysql nested begin", MySQL, "CREATE PROCEDURE p()\nBEGIN\n  BEGIN\n    SELECT 1;\n  END;\n", 2, "unterminated BEGIN block"},
		{"pg begin atomic", Postgres, "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n SELECT 1;\n", 2, "unterminated BEGIN block"},
		{"case in trigger", SQLite, "CREATE TRIGGER tr AFTER INSERT ON t WHEN\n CASE WHEN 1 THEN 1;", 2, "unterminated CASE expression"},
		{"mariadb executable comment", MySQL, "SELECT 1;\n\n/*M!100100 SET x=1;", 3, "unterminated executable comment /*M!"},
		{"pg parenthesis", Postgres, "SELECT 1;\nCREATE RULE r AS ON INSERT TO t DO (\nINSERT INTO u VALUES (1);\n", 2, "unclosed parenthesis"},
		{"generic parenthesis", Generic, "SELECT (1;\nSELECT 2;", 1, "unclosed parenthesis"},
		{"delimiter too long", Generic, "DELIMITER 0123456789abcdef\nSELECT 2;", 1, "DELIMITER longer than 15 bytes"},
		{"delimiter without argument", MySQL, "SELECT 1;\nDELIMITER   \nSELECT 2;", 2, "DELIMITER must be followed by a delimiter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmts, err := Split(tt.script, tt.d)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Split(%q) = %d statements, error %v; want *SyntaxError", tt.script, len(stmts), err)
			}
			if se.Line != tt.line || se.Msg != tt.msg {
				t.Errorf("Split(%q) error = line %d %q, want line %d %q", tt.script, se.Line, se.Msg, tt.line, tt.msg)
			}
			if want := fmt.Sprintf("line %d: %s", tt.line, tt.msg); err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
			if stmts != nil {
				t.Errorf("statements returned with an error: %v", stmts)
			}
		})
	}
}

// TestTexts checks small cases per rule by their statement texts.
func TestTexts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		d      Dialect
		script string
		want   []string
	}{
		{"empty", Generic, "", nil},
		{"only comments and terminators", Postgres, " -- a;\n/* b; */ ;;\n\t;", nil},
		{"no final terminator", SQLite, "SELECT 1;\nSELECT 2\n", []string{"SELECT 1", "SELECT 2"}},
		{"trailing comment is not text", Generic, "SELECT 1 -- one\n;", []string{"SELECT 1"}},
		{"inner comment kept", Generic, "SELECT /* x; */ 1;", []string{"SELECT /* x; */ 1"}},
		{"mysql dash dash needs space", MySQL, "SELECT 1--1;\nSELECT 2", []string{"SELECT 1--1", "SELECT 2"}},
		{"pg dash dash comment", Postgres, "SELECT 1--1;\n;SELECT 2", []string{"SELECT 1", "SELECT 2"}},
		{"mysql hash comment", MySQL, "SELECT 1 # a;\n;", []string{"SELECT 1"}},
		{"pg hash is operator", Postgres, "SELECT 1 # 2;", []string{"SELECT 1 # 2"}},
		{"pg standard string backslash", Postgres, `SELECT 'a\'; SELECT 'b';`, []string{`SELECT 'a\'`, `SELECT 'b'`}},
		{"pg escape string", Postgres, `SELECT E'it\'s;'; SELECT e'\\'; SELECT 2`, []string{`SELECT E'it\'s;'`, `SELECT e'\\'`, "SELECT 2"}},
		{"pg identifier ending in e", Postgres, `SELECT type'a;b'; SELECT 2`, []string{`SELECT type'a;b'`, "SELECT 2"}},
		{"pg array subscript", Postgres, "SELECT a[1]; SELECT b[2]", []string{"SELECT a[1]", "SELECT b[2]"}},
		{"pg backtick is not a quote", Postgres, "SELECT `; SELECT `", []string{"SELECT `", "SELECT `"}},
		{"pg dollar param", Postgres, "SELECT $1; SELECT $2", []string{"SELECT $1", "SELECT $2"}},
		{"pg dollar in identifier", Postgres, "SELECT a$b$; SELECT 2", []string{"SELECT a$b$", "SELECT 2"}},
		{"mysql dollar identifier", MySQL, "SELECT $a$; SELECT 2", []string{"SELECT $a$", "SELECT 2"}},
		{"sqlite brackets", SQLite, "SELECT [a;b]; SELECT 2", []string{"SELECT [a;b]", "SELECT 2"}},
		{"sqlite not nested comment", SQLite, "SELECT /* /* */ 1; SELECT 2", []string{"SELECT /* /* */ 1", "SELECT 2"}},
		{"mysql string doubling and escapes", MySQL, `SELECT 'a''b\';', "c"";\""; SELECT 2`, []string{`SELECT 'a''b\';', "c"";\""`, "SELECT 2"}},
		{"bare begin is a statement", SQLite, "BEGIN;\nCREATE TABLE t (a);\nCOMMIT;", []string{"BEGIN", "CREATE TABLE t (a)", "COMMIT"}},
		{"begin transaction", MySQL, "BEGIN WORK; SELECT 1; COMMIT", []string{"BEGIN WORK", "SELECT 1", "COMMIT"}},
		{"pg begin", Postgres, "BEGIN; SELECT 1; END;", []string{"BEGIN", "SELECT 1", "END"}},
		{"table column named event", MySQL, "CREATE TABLE t (event int, `begin` int); SELECT 1", []string{"CREATE TABLE t (event int, `begin` int)", "SELECT 1"}},
		{"qualified begin column", SQLite, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = new.end; END; SELECT 1",
			[]string{"CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET x = new.end; END", "SELECT 1"}},
		{"mariadb begin not atomic", MySQL, "BEGIN NOT ATOMIC SELECT 1; SELECT 2; END; SELECT 3", []string{"BEGIN NOT ATOMIC SELECT 1; SELECT 2; END", "SELECT 3"}},
		{"pg begin atomic", Postgres, "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); SELECT CASE WHEN true THEN 1 END; END; SELECT 1",
			[]string{"CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); SELECT CASE WHEN true THEN 1 END; END", "SELECT 1"}},
		{"pg begin without atomic in routine", Postgres, "CREATE FUNCTION begin(); SELECT 1", []string{"CREATE FUNCTION begin()", "SELECT 1"}},
		{"psql meta command", Postgres, "\\c db\nSELECT 1;\n  \\set x 'a;b'  \r\nSELECT 2", []string{"\\c db", "SELECT 1", "\\set x 'a;b'", "SELECT 2"}},
		{"backslash inside statement", Postgres, "SELECT 1\n\\g", []string{"SELECT 1\n\\g"}},
		{"delimiter at end of word", MySQL, "DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\ndelimiter ;\nSELECT 2;", []string{"CREATE PROCEDURE p() BEGIN SELECT 1; END", "SELECT 2"}},
		{"delimiter not at line start", MySQL, "SELECT 1; DELIMITER $$\n", []string{"SELECT 1", "DELIMITER $$"}},
		{"delimiter word in statement", MySQL, "CREATE TABLE t (\ndelimiter int);", []string{"CREATE TABLE t (\ndelimiter int)"}},
		{"delimiter not recognised in pg", Postgres, "DELIMITER //\nSELECT 1", []string{"DELIMITER //\nSELECT 1"}},
		{"longest delimiter", MySQL, "DELIMITER 0123456789abcde\nSELECT 20123456789abcde\nSELECT 3", []string{"SELECT 2", "SELECT 3"}},
		{"byte order mark", SQLite, "\ufeffCREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END;", []string{"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END"}},
		{"crlf", MySQL, "DELIMITER $$\r\nCREATE PROCEDURE p() BEGIN SELECT 1; END $$\r\nDELIMITER ;\r\nSELECT 2;\r\n", []string{"CREATE PROCEDURE p() BEGIN SELECT 1; END", "SELECT 2"}},
		{"pg semicolon in parentheses", Postgres, "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO u VALUES (1); DELETE FROM v); SELECT 2",
			[]string{"CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO u VALUES (1); DELETE FROM v)", "SELECT 2"}},
		{"pg extra closing parenthesis", Postgres, "SELECT 1); SELECT (2)", []string{"SELECT 1)", "SELECT (2)"}},
		{"mysql semicolon in parentheses splits", MySQL, "SELECT (1; SELECT 2)", []string{"SELECT (1", "SELECT 2)"}},
		{"sqlite semicolon in parentheses splits", SQLite, "SELECT (1; SELECT 2)", []string{"SELECT (1", "SELECT 2)"}},
		{"generic delimiter and dollar", Generic, "DELIMITER //\nSELECT $$a//b$$; SELECT 2 //\nDELIMITER ;\nSELECT 3", []string{"SELECT $$a//b$$; SELECT 2", "SELECT 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmts, err := Split(tt.script, tt.d)
			if err != nil {
				t.Fatalf("Split(%q): %v", tt.script, err)
			}
			checkOffsets(t, tt.script, stmts)
			var got []string
			for _, s := range stmts {
				got = append(got, s.Text)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Split(%q) texts (-want +got):\n%s", tt.script, diff)
			}
		})
	}
}

func TestUnknownDialect(t *testing.T) {
	t.Parallel()
	stmts, err := Split("SELECT 1", Dialect(9))
	if err == nil || stmts != nil {
		t.Fatalf("Split with Dialect(9) = %v, %v; want an error", stmts, err)
	}
	if want := "sqlsplit: unknown dialect 9"; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	for d, want := range map[Dialect]string{Generic: "generic", Postgres: "postgres", MySQL: "mysql", SQLite: "sqlite", Dialect(9): "Dialect(9)"} {
		if got := d.String(); got != want {
			t.Errorf("Dialect(%d).String() = %q, want %q", int(d), got, want)
		}
	}
}
