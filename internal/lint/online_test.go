package lint

import (
	"errors"
	"strings"
	"testing"
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
	o, err := OnlineRewrite("postgres", in, "5s", false)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(o.Statements, ";\n")
	want := strings.Join([]string{
		"SET lock_timeout = '5s'",
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

	plain, err := OnlineRewrite("postgres", []string{"ALTER TABLE users ADD COLUMN x int"}, "5s", false)
	if err != nil || plain.NoTransaction || plain.Statements[0] != "SET LOCAL lock_timeout = '5s'" {
		t.Fatalf("transactional form: %+v %v", plain, err)
	}
	if long := notNullCheckName(strings.Repeat("t", 40), strings.Repeat("c", 40)); len(long) > 65 {
		t.Errorf("check name %s is longer than 63 bytes", long)
	}
	if _, err := OnlineRewrite("mysql", in, "5s", false); !errors.Is(err, ErrOnlineUnsupported) {
		t.Errorf("mysql: %v", err)
	}
	if o, err := OnlineRewrite("sqlite", in, "5s", false); err != nil || len(o.Notes) != 1 || len(o.Statements) != len(in) {
		t.Errorf("sqlite: %+v %v", o, err)
	}
}
