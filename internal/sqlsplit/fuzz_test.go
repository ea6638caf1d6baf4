package sqlsplit

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzSplit checks that Split never panics or hangs and that its result
// covers the script exactly: statements in order, each Text the bytes
// between its Start and End, and nothing but white space, comments,
// terminators and DELIMITER lines between them.
func FuzzSplit(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.sql")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), uint8(dialectOf(f, file)))
	}
	for _, s := range []string{
		"", ";", "$", "$$", "$a", "$1$", "E'", "e'\\'", "'", "\"", "`", "[", "/*", "/*!", "--", "#", "\\",
		"DELIMITER", "DELIMITER ", "delimiter $$\nselect 1$$", "DELIMITER ;;\nBEGIN;;",
		"CREATE TRIGGER t BEGIN CASE END END", "create function f() begin atomic end",
		"BEGIN NOT ATOMIC END", "CREATE PROCEDURE p() BEGIN END IF; END CASE; END",
		"SELECT 1 -- x\n;\n\\c db\n", "/* /* */ */;", "a.end; b.begin;",
	} {
		for d := Generic; d <= SQLite; d++ {
			f.Add(s, uint8(d))
		}
	}
	f.Fuzz(func(t *testing.T, script string, dn uint8) {
		d := Dialect(dn % 4)
		stmts, err := Split(script, d)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			if se.Line < 1 || se.Line > strings.Count(script, "\n")+1 || se.Msg == "" {
				t.Fatalf("bad SyntaxError %+v", se)
			}
			if stmts != nil {
				t.Fatalf("statements returned with an error")
			}
			return
		}
		checkOffsets(t, script, stmts)
		checkGaps(t, script, d, stmts)
		checkTokens(t, script, d, stmts)
		// Without DELIMITER directives, a statement split again on its own
		// is that one statement.
		if (d == Postgres || d == SQLite) || !strings.Contains(strings.ToLower(script), "delimiter") {
			for i, s := range stmts {
				if d == MySQL && strings.HasSuffix(s.Text, "--") {
					// "--" then a non-space is two minus signs, but "--" at
					// the end of the input is a comment, as in the server.
					continue
				}
				again, err := Split(s.Text, d)
				if err != nil || len(again) != 1 || again[0].Text != s.Text {
					t.Fatalf("statement %d %q split alone gives %d statements (%v)", i+1, s.Text, len(again), err)
				}
			}
		}
	})
}

// checkTokens checks that Tokens reads the script Split could split: no
// error, tokens in order, each one its bytes of the script, and every
// statement starting at a token's start and ending at a token's end.
func checkTokens(t *testing.T, script string, d Dialect, stmts []Statement) {
	t.Helper()
	toks, err := Tokens(script, d)
	if err != nil {
		t.Fatalf("Split succeeded but Tokens failed: %v", err)
	}
	starts, ends := map[int]bool{}, map[int]bool{}
	prev := 0
	for i, tk := range toks {
		if tk.Pos < prev || tk.Text == "" || script[tk.Pos:tk.End()] != tk.Text {
			t.Fatalf("token %d %+v is not its bytes of the script after offset %d", i, tk, prev)
		}
		prev = tk.End()
		starts[tk.Pos], ends[tk.End()] = true, true
	}
	for i, s := range stmts {
		if !starts[s.Start] || !ends[s.End] {
			t.Fatalf("statement %d [%d,%d) does not start and end at tokens", i+1, s.Start, s.End)
		}
	}
}

// BenchmarkSplit splits the largest corpus files.
func BenchmarkSplit(b *testing.B) {
	for _, f := range []corpusFile{
		{"chinook/postgres/Chinook_PostgreSql.sql", Postgres},
		{"chinook/mysql/Chinook_MySql.sql", MySQL},
		{"adventureworks/install.sql", Postgres},
		{"sakila-mysql/sakila-mv-schema.sql", MySQL},
		{"pagila/pagila-schema.sql", Postgres},
	} {
		b.Run(filepath.Base(f.path), func(b *testing.B) {
			script := readCorpus(b, f.path)
			b.SetBytes(int64(len(script)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Split(script, f.d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
