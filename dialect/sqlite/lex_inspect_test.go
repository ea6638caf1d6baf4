package sqlite

import (
	"reflect"
	"testing"
)

func TestNormExpr(t *testing.T) {
	for in, want := range map[string]string{
		"a  +\n\tb":                       "a + b",
		"a+b":                             "a+b",
		"( a , b )":                       "(a, b)",
		"f( x,y )":                        "f(x, y)",
		"t . c":                           "t.c",
		"t.*":                             "t.*",
		"[x] = `y`":                       `"x" = "y"`,
		`"a""b" IS NOT NULL`:              `"a""b" IS NOT NULL`,
		"'it''s  ok'":                     "'it''s  ok'",
		"a /* c */ OR -- d\n b":           "a OR b",
		"a/**/b":                          "a b",
		"x IN ('G','PG-13')":              "x IN ('G', 'PG-13')",
		"-1":                              "-1",
		"X'00ff' || ?1 || :name || @v":    "X'00ff' || ?1 || :name || @v",
		"json ->> '$.a'":                  "json ->> '$.a'",
		"1.5e3+.5":                        "1.5e3+.5",
		"CASE WHEN a>=1 THEN 'x' END":     "CASE WHEN a>=1 THEN 'x' END",
		"datetime( 'now' , 'localtime' )": "datetime('now', 'localtime')",
	} {
		got := normExpr(ddlLex(in))
		if got != want {
			t.Errorf("normExpr(%q) = %q, want %q", in, got, want)
		}
		if again := normExpr(ddlLex(got)); again != got {
			t.Errorf("normExpr not idempotent on %q: %q then %q", in, got, again)
		}
	}
}

func TestNormType(t *testing.T) {
	for in, want := range map[string]string{
		"nvarchar ( 10 , 2 )":  "NVARCHAR(10,2)",
		"unsigned   big int":   "UNSIGNED BIG INT",
		"Double\nPrecision":    "DOUBLE PRECISION",
		"":                     "",
		"BLOB SUB_TYPE TEXT":   "BLOB SUB_TYPE TEXT",
		"decimal(10, -2)":      "DECIMAL(10,-2)",
		`"my type"(3)`:         `"my type"(3)`,
		"[bracketed type]":     `"bracketed type"`,
		"varchar(255) collate": "VARCHAR(255) COLLATE",
	} {
		if got := normType(in); got != want {
			t.Errorf("normType(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormText(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT a,   \r\n  b  \nFROM t  ":      "SELECT a,\n  b\nFROM t",
		"SELECT 'x   \n  y' AS s   \n FROM t":  "SELECT 'x   \n  y' AS s\n FROM t",
		"  SELECT 1 -- c  \n":                  "SELECT 1 -- c",
		"SELECT \"a  \n b\"  \nFROM [t  \n u]": "SELECT \"a  \n b\"\nFROM [t  \n u]",
	} {
		if got := normText(in); got != want {
			t.Errorf("normText(%q) = %q, want %q", in, got, want)
		}
		if again := normText(want); again != want {
			t.Errorf("normText not idempotent on %q: %q", want, again)
		}
	}
}

func TestParseCreateTable(t *testing.T) {
	td, err := parseCreateTable(`CREATE TABLE x (
  a INTEGER CONSTRAINT pk PRIMARY KEY AUTOINCREMENT,
  b TEXT COLLATE "nocase" CHECK (b <> '(') GENERATED ALWAYS AS ( upper( a ) ) VIRTUAL,
  CONSTRAINT u1 UNIQUE (b, a),
  CONSTRAINT f1 FOREIGN KEY (b) REFERENCES y (z) MATCH SIMPLE DEFERRABLE INITIALLY DEFERRED
) STRICT`)
	if err != nil {
		t.Fatal(err)
	}
	if td.pkName != "pk" || td.pkAutoinc != "a" || !td.strict || td.withoutRowID {
		t.Errorf("table facts: %+v", td)
	}
	if c := td.cols["b"]; c == nil || c.collation != "NOCASE" || c.generated != "upper(a)" {
		t.Errorf("column b: %+v", c)
	}
	if len(td.checks) != 1 || td.checks[0].Expr != "b <> '('" {
		t.Errorf("checks: %+v", td.checks)
	}
	if len(td.uniques) != 1 || td.uniques[0].name != "u1" || len(td.uniques[0].cols) != 2 {
		t.Errorf("uniques: %+v", td.uniques)
	}
	if len(td.fks) != 1 || td.fks[0].name != "f1" || td.fks[0].refTable != "y" || td.fks[0].match != "SIMPLE" || !td.fks[0].deferrable || !td.fks[0].initiallyDeferred {
		t.Errorf("foreign keys: %+v", td.fks)
	}
	if _, err := parseCreateTable("CREATE TABLE broken (a INT"); err == nil {
		t.Error("unbalanced CREATE TABLE text accepted")
	}
}

// TestDDLLexUnterminated: text sqlsplit cannot finish lexing still gives
// tokens, the unterminated one running to the end (ddlTail).
func TestDDLLexUnterminated(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []ddlToken
	}{
		{"a x'0f", []ddlToken{{kind: ddlWord, text: "a"}, {kind: ddlBlob, text: "x'0f", pos: 2, space: true}}},
		{"a 'b", []ddlToken{{kind: ddlWord, text: "a"}, {kind: ddlString, text: "'b", pos: 2, space: true}}},
		{"[a b", []ddlToken{{kind: ddlQuoted, text: "[a b"}}},
		{"a\"b", []ddlToken{{kind: ddlWord, text: "a"}, {kind: ddlQuoted, text: "\"b", pos: 1}}},
		{"a /* b", []ddlToken{{kind: ddlWord, text: "a"}}},
	} {
		if got := ddlLex(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ddlLex(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// FuzzNormExpr checks that normalising an expression is idempotent, so
// that inspection of formatted text gives back the same text.
func FuzzNormExpr(f *testing.F) {
	for _, s := range []string{"a + b", "f( x ,y)", "[a].`b` . c", "'x''y' || X'00'", "1 .x", "a/**/-1", "t.*", "-- c\n1",
		// Unterminated tokens (ddlTail) and SQLite's own token classes.
		"x'ab", "a 'b", "[a", "\"a", "a /* b", "a->>'$.b' ?1 :n @v $w 0x1F .5e-3 1_000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := normExpr(ddlLex(s))
		if twice := normExpr(ddlLex(once)); twice != once {
			t.Fatalf("normExpr(%q) = %q, normalised again %q", s, once, twice)
		}
		tonce := normType(s)
		if ttwice := normType(tonce); ttwice != tonce {
			t.Fatalf("normType(%q) = %q, normalised again %q", s, tonce, ttwice)
		}
	})
}
