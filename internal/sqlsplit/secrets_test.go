package sqlsplit

import "testing"

func TestRedact(t *testing.T) {
	for _, c := range []struct {
		d        Dialect
		in, want string
		values   []string
	}{
		{Postgres, "CREATE ROLE app LOGIN PASSWORD 's3cret'", "CREATE ROLE app LOGIN PASSWORD '****'", []string{"s3cret"}},
		{Postgres, "ALTER USER app WITH ENCRYPTED PASSWORD E'it''s'", "ALTER USER app WITH ENCRYPTED PASSWORD '****'", []string{"it''s"}},
		{MySQL, "CREATE USER 'app'@'%' IDENTIFIED BY 'pw1'", "CREATE USER 'app'@'%' IDENTIFIED BY '****'", []string{"pw1"}},
		{MySQL, "CREATE USER a IDENTIFIED WITH mysql_native_password AS '*ABC' , b IDENTIFIED BY \"pw2\"", "CREATE USER a IDENTIFIED WITH mysql_native_password AS '****' , b IDENTIFIED BY '****'", []string{"*ABC", "pw2"}},
		{MySQL, "SET PASSWORD FOR 'app'@'%' = 'pw3'", "SET PASSWORD FOR 'app'@'%' = '****'", []string{"pw3"}},
		{MySQL, "SET PASSWORD = PASSWORD('pw4')", "SET PASSWORD = PASSWORD('****')", []string{"pw4"}},
		// Not secrets: a column named password without a literal after
		// it, an ordinary literal, BY outside IDENTIFIED.
		{Postgres, "INSERT INTO users (name, password) VALUES ('bob', 'x')", "INSERT INTO users (name, password) VALUES ('bob', 'x')", nil},
		{MySQL, "SELECT a FROM t ORDER BY 'z'", "SELECT a FROM t ORDER BY 'z'", nil},
		// A column named password set to a literal: hidden too (a hash
		// is no better to print than a password).
		{SQLite, "UPDATE t SET password = 'hash'", "UPDATE t SET password = '****'", []string{"hash"}},
	} {
		if got := Redact(c.in, c.d); got != c.want {
			t.Errorf("Redact(%q) = %q, want %q", c.in, got, c.want)
		}
		got := SecretValues(c.in, c.d)
		if len(got) != len(c.values) {
			t.Errorf("SecretValues(%q) = %q, want %q", c.in, got, c.values)
			continue
		}
		for i := range got {
			if got[i] != c.values[i] {
				t.Errorf("SecretValues(%q) = %q, want %q", c.in, got, c.values)
			}
		}
	}
}

// FuzzRedact: whatever the statement, Redact leaves no secret literal
// but '****', and changes nothing else about how it tokenizes.
func FuzzRedact(f *testing.F) {
	for _, s := range []string{
		"CREATE ROLE app LOGIN PASSWORD 's3cret'",
		"CREATE USER 'app'@'%' IDENTIFIED BY 'pw1'",
		"SET PASSWORD FOR 'app'@'%' = PASSWORD('pw3')",
		"ALTER USER a IDENTIFIED WITH p AS 'h', b IDENTIFIED BY \"x\"",
		"SELECT 'password', password FROM t",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, stmt string) {
		for _, d := range []Dialect{Postgres, MySQL, SQLite} {
			before, err := Tokens(stmt, d)
			if err != nil {
				continue
			}
			out := Redact(stmt, d)
			after, err := Tokens(out, d)
			if err != nil {
				t.Fatalf("%v: Redact(%q) = %q does not tokenize: %v", d, stmt, out, err)
			}
			if len(after) != len(before) {
				t.Fatalf("%v: Redact(%q) = %q has %d tokens, want %d", d, stmt, out, len(after), len(before))
			}
			for _, s := range Secrets(out, d) {
				if s.Text != "'****'" {
					t.Fatalf("%v: Redact(%q) = %q still holds the secret %s", d, stmt, out, s.Text)
				}
			}
		}
	})
}
