package lint

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/script"
)

func TestOnlineRewrite(t *testing.T) {
	in := []string{
		"CREATE TABLE n (id int)",
		"CREATE INDEX n_id ON n (id)",
		"CREATE INDEX u_name ON users (name)",
		"DROP INDEX u_old",
		`ALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (org_id) REFERENCES orgs (id)`,
		`ALTER TABLE users ADD CONSTRAINT u_email UNIQUE (email)`,
		`ALTER TABLE "users" ALTER COLUMN "name" SET NOT NULL`,
	}
	o, err := OnlineRewrite("postgres", in, 5*time.Second, false)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(o.Statements, ";\n")
	want := strings.Join([]string{
		"SET lock_timeout = '5000ms'",
		"CREATE TABLE n (id int)",
		"CREATE INDEX n_id ON n (id)", // a table the revision creates is empty
		"CREATE INDEX CONCURRENTLY u_name ON users (name)",
		"DROP INDEX CONCURRENTLY u_old",
		"ALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID",
		"ALTER TABLE users VALIDATE CONSTRAINT fk",
		"CREATE UNIQUE INDEX CONCURRENTLY u_email ON users (email)",
		"ALTER TABLE users ADD CONSTRAINT u_email UNIQUE USING INDEX u_email",
		`ALTER TABLE "users" ADD CONSTRAINT "users_name_not_null" CHECK ("name" IS NOT NULL) NOT VALID`,
		`ALTER TABLE "users" VALIDATE CONSTRAINT "users_name_not_null"`,
		`ALTER TABLE "users" ALTER COLUMN "name" SET NOT NULL`,
		`ALTER TABLE "users" DROP CONSTRAINT "users_name_not_null"`,
		"RESET lock_timeout",
	}, ";\n")
	if got != want || !o.NoTransaction || len(o.Notes) != 5 {
		t.Fatalf("got (noTx %v, %d notes):\n%s\nwant:\n%s", o.NoTransaction, len(o.Notes), got, want)
	}
	// The online form passes lint's lock rules.
	fs := run(t, "postgres", "", strings.Join(o.Statements, ";\n")+";", true)
	for _, f := range fs {
		if f.Severity == Error || f.Code == "RL101" || f.Code == "RL102" || f.Code == "RL104" || f.Code == "RL106" || f.Code == "RL109" {
			t.Errorf("online form flagged: %s %s", f.Code, f.Message)
		}
	}

	plain, err := OnlineRewrite("postgres", []string{"ALTER TABLE users ADD COLUMN x int"}, 5*time.Second, false)
	if err != nil || plain.NoTransaction || plain.Statements[0] != "SET LOCAL lock_timeout = '5000ms'" {
		t.Fatalf("transactional form: %+v %v", plain, err)
	}
	if long := notNullCheckName(strings.Repeat("t", 40), strings.Repeat("c", 40)); len(long) > 65 {
		t.Errorf("check name %s is longer than 63 bytes", long)
	}
	if o, err := OnlineRewrite("sqlite", in, 5*time.Second, false); err != nil || len(o.Notes) != 1 || len(o.Statements) != len(in) {
		t.Errorf("sqlite: %+v %v", o, err)
	}
}

func TestOnlineMySQL(t *testing.T) {
	online := func(target string, stmts ...string) (Online, error) {
		tg, _ := ParseTarget(target)
		l, err := New(Options{Dialect: "mysql", Target: tg})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Revision(&script.Revision{ID: "a", Up: script.Section{SQL: prior["mysql"], Line: 1, Present: true}}, false); err != nil {
			t.Fatal(err)
		}
		return l.Online(stmts, 2500*time.Millisecond, false)
	}
	o, err := online("mariadb-10.11", "ALTER TABLE `users` ADD COLUMN `note` text", "CREATE INDEX i ON users (name)",
		"DROP INDEX i ON users", "ALTER TABLE users MODIFY COLUMN code varchar(60)", "CREATE TABLE n (id int)", "CREATE INDEX n_id ON n (id)")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"SET SESSION lock_wait_timeout = 3",
		"ALTER TABLE `users` ADD COLUMN `note` text, ALGORITHM=INSTANT",
		"CREATE INDEX i ON users (name) ALGORITHM=INPLACE LOCK=NONE",
		"ALTER TABLE users DROP INDEX i, ALGORITHM=INPLACE, LOCK=NONE",
		"ALTER TABLE users MODIFY COLUMN code varchar(60), ALGORITHM=INPLACE, LOCK=NONE",
		"CREATE TABLE n (id int)",
		"CREATE INDEX n_id ON n (id)",
		"SET SESSION lock_wait_timeout = DEFAULT",
	}
	if strings.Join(o.Statements, "\n") != strings.Join(want, "\n") || o.NoTransaction {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(o.Statements, "\n"), strings.Join(want, "\n"))
	}
	// Below the INSTANT versions, ADD COLUMN rebuilds INPLACE.
	o, err = online("mysql-8.0.0", "ALTER TABLE users ADD COLUMN note text")
	if err != nil || o.Statements[1] != "ALTER TABLE users ADD COLUMN note text, ALGORITHM=INPLACE, LOCK=NONE" {
		t.Fatalf("%v %v", o.Statements, err)
	}
	// COPY-only changes are refused, with the online schema change tools.
	for _, s := range []string{"ALTER TABLE users MODIFY COLUMN age bigint", "ALTER TABLE users ADD CONSTRAINT f FOREIGN KEY (org_id) REFERENCES orgs (id)", "CREATE FULLTEXT INDEX ft ON users (name)"} {
		_, err := online("mysql-8.0.35", s)
		var refused *OnlineRefusedError
		if !errors.As(err, &refused) || !strings.Contains(err.Error(), "pt-online-schema-change") || !strings.Contains(err.Error(), "gh-ost") {
			t.Errorf("%s: %v", s, err)
		}
	}
}
