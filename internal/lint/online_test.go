package lint

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/retortdb/retort/internal/script"
	"github.com/retortdb/retort/internal/sqlsplit"
)

// onlineInput is a generated PostgreSQL upgrade with one statement of each
// kind the online rewrite changes.
var onlineInput = []string{
	"CREATE TABLE n (id int)",
	"CREATE INDEX n_id ON n (id)",
	"CREATE INDEX u_name ON users (name)",
	"DROP INDEX u_old",
	`ALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (org_id) REFERENCES orgs (id)`,
	`ALTER TABLE users ADD CONSTRAINT u_email UNIQUE (email)`,
	`ALTER TABLE "users" ALTER COLUMN "name" SET NOT NULL`,
}

func TestOnlineRewrite(t *testing.T) {
	o, err := OnlineRewrite(sqlsplit.Postgres, onlineInput, OnlineOptions{LockTimeout: 5 * time.Second, StatementTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(o.Statements, ";\n")
	want := strings.Join([]string{
		"SET lock_timeout = '5000ms'",
		"SET statement_timeout = '60000ms'",
		"CREATE TABLE n (id int)",
		"CREATE INDEX n_id ON n (id)", // a table the revision creates is empty
		"SET statement_timeout = 0",   // long by design, blocks no writes
		"CREATE INDEX CONCURRENTLY u_name ON users (name)",
		"DROP INDEX CONCURRENTLY u_old",
		"SET statement_timeout = '60000ms'",
		"ALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID",
		"SET statement_timeout = 0",
		"ALTER TABLE users VALIDATE CONSTRAINT fk",
		"CREATE UNIQUE INDEX CONCURRENTLY u_email ON users (email)",
		"SET statement_timeout = '60000ms'",
		"ALTER TABLE users ADD CONSTRAINT u_email UNIQUE USING INDEX u_email",
		`ALTER TABLE "users" ADD CONSTRAINT "users_name_not_null" CHECK ("name" IS NOT NULL) NOT VALID`,
		"SET statement_timeout = 0",
		`ALTER TABLE "users" VALIDATE CONSTRAINT "users_name_not_null"`,
		"SET statement_timeout = '60000ms'",
		`ALTER TABLE "users" ALTER COLUMN "name" SET NOT NULL`,
		`ALTER TABLE "users" DROP CONSTRAINT "users_name_not_null"`,
		"RESET statement_timeout",
		"RESET lock_timeout",
	}, ";\n")
	if got != want || !o.NoTransaction || len(o.Notes) != 5 {
		t.Fatalf("got (noTx %v, %d notes):\n%s\nwant:\n%s", o.NoTransaction, len(o.Notes), got, want)
	}
	// lint finds nothing in the online form that the rewrite caused: no
	// lock rule, and no missing timeout (RL116, RL117).
	rewritten := map[string]bool{"RL101": true, "RL102": true, "RL104": true, "RL106": true, "RL109": true, "RL116": true, "RL117": true}
	for _, f := range run(t, sqlsplit.Postgres, "", strings.Join(o.Statements, ";\n")+";", true) {
		if f.Severity == Error || rewritten[f.Code] {
			t.Errorf("online form flagged: %s %s", f.Code, f.Message)
		}
	}
}

// TestOnlineOtherForms: a change that needs no statement of its own stays
// in one transaction (SET LOCAL); SQLite changes nothing; the temporary
// check's name fits PostgreSQL's 63 bytes.
func TestOnlineOtherForms(t *testing.T) {
	plain, err := OnlineRewrite(sqlsplit.Postgres, []string{"ALTER TABLE users ADD COLUMN x int"}, OnlineOptions{LockTimeout: 5 * time.Second, StatementTimeout: time.Minute})
	if err != nil || plain.NoTransaction || strings.Join(plain.Statements, ";") != "SET LOCAL lock_timeout = '5000ms';SET LOCAL statement_timeout = '60000ms';ALTER TABLE users ADD COLUMN x int" {
		t.Fatalf("transactional form: %+v %v", plain, err)
	}
	if long := notNullCheckName(strings.Repeat("t", 40), strings.Repeat("c", 40)); len(long) > 65 {
		t.Errorf("check name %s is longer than 63 bytes", long)
	}
	if o, err := OnlineRewrite(sqlsplit.SQLite, onlineInput, OnlineOptions{LockTimeout: 5 * time.Second}); err != nil || len(o.Notes) != 1 || len(o.Statements) != len(onlineInput) {
		t.Errorf("sqlite: %+v %v", o, err)
	}
}

// TestOnlineNoStatementTimeout: a statement timeout of 0 writes none, and
// RL117 then says so (the user chose it).
func TestOnlineNoStatementTimeout(t *testing.T) {
	o, err := OnlineRewrite(sqlsplit.Postgres, onlineInput, OnlineOptions{LockTimeout: 5 * time.Second})
	if err != nil || strings.Contains(strings.Join(o.Statements, ";"), "statement_timeout") {
		t.Fatalf("no statement timeout: %v %v", o.Statements, err)
	}
	if find(run(t, sqlsplit.Postgres, "", strings.Join(o.Statements, ";\n")+";", true), "RL117") == nil {
		t.Errorf("no RL117 for an online form without statement_timeout")
	}
}

func TestOnlineMySQL(t *testing.T) {
	online := func(target string, stmts ...string) (Online, error) {
		tg, _ := ParseTarget(target)
		l, err := New(Options{Dialect: sqlsplit.MySQL, Target: tg})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := l.Revision(&script.Revision{ID: "a", Up: script.Section{SQL: prior[sqlsplit.MySQL], Line: 1, Present: true}}, false); err != nil {
			t.Fatal(err)
		}
		return l.Online(stmts, OnlineOptions{LockTimeout: 2500 * time.Millisecond, StatementTimeout: time.Minute})
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
