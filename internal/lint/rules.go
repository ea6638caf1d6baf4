package lint

import (
	"fmt"
	"slices"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// Rule describes one check.
type Rule struct {
	// Code is stable: it is what lint-ignore comments and CI filters name.
	Code string `json:"code"`
	// Name is a readable alias of Code, accepted by lint-ignore too.
	Name string `json:"name"`
	// Severity is the rule's usual severity; a finding may differ (a
	// CHECK constraint scans under ACCESS EXCLUSIVE, a foreign key under
	// SHARE ROW EXCLUSIVE).
	Severity Severity `json:"severity"`
	// Summary is one line for people and for SARIF.
	Summary string `json:"summary"`
	// Dialects lists the SQL dialects the rule checks (in JSON by name).
	Dialects []sqlsplit.Dialect `json:"dialects"`
}

var (
	pg     = []sqlsplit.Dialect{sqlsplit.Postgres}
	my     = []sqlsplit.Dialect{sqlsplit.MySQL}
	pgMy   = []sqlsplit.Dialect{sqlsplit.Postgres, sqlsplit.MySQL}
	anyDB  = []sqlsplit.Dialect{sqlsplit.Postgres, sqlsplit.MySQL, sqlsplit.SQLite}
	pgLite = []sqlsplit.Dialect{sqlsplit.Postgres, sqlsplit.SQLite}
)

// Rules is every rule, in code order.
var Rules = []Rule{
	{"RL001", "lint-ignore-invalid", Error, "a retort:lint-ignore comment without a reason, or naming no rule", anyDB},
	{"RL002", "lint-ignore-unused", Warning, "a retort:lint-ignore comment that silences nothing", anyDB},
	{"RL101", "index-not-concurrent", Warning, "CREATE INDEX without CONCURRENTLY blocks writes while the index is built", pg},
	{"RL102", "drop-index-not-concurrent", Warning, "DROP INDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on the table", pg},
	{"RL103", "concurrently-in-transaction", Error, "CONCURRENTLY cannot run inside a transaction block: the revision needs Transaction: none", pg},
	{"RL104", "constraint-not-valid", Warning, "a foreign key or CHECK added without NOT VALID is validated under lock", pgMy},
	{"RL105", "validate-in-creating-transaction", Warning, "VALIDATE CONSTRAINT in the transaction that added it keeps the ADD's lock for the whole scan", pg},
	{"RL106", "set-not-null-scan", Error, "SET NOT NULL scans the table under ACCESS EXCLUSIVE unless a validated CHECK (col IS NOT NULL) exists", pg},
	{"RL107", "volatile-default", Error, "a new column whose default is volatile, serial, identity, auto-increment or stored generated rewrites the table", pgMy},
	{"RL108", "column-type-rewrite", Error, "a column type change outside the no-rewrite cases rewrites the table", pgMy},
	{"RL109", "unique-constraint-blocking", Error, "ADD UNIQUE or PRIMARY KEY builds its index under ACCESS EXCLUSIVE", pg},
	{"RL110", "rename-column", Warning, "renaming a column breaks the application version still running (backward-incompatible)", anyDB},
	{"RL111", "rename-table", Warning, "renaming a table breaks the application version still running (backward-incompatible)", anyDB},
	{"RL112", "drop-column", Warning, "dropping a column loses its data and breaks code that still reads it", anyDB},
	{"RL113", "drop-table", Warning, "dropping a table loses its data and breaks code that still reads it", anyDB},
	{"RL114", "truncate", Warning, "TRUNCATE deletes every row (CASCADE: of every referencing table too)", pgMy},
	{"RL115", "enum-value-change", Warning, "changing an enum's values: new values cannot be used in the adding transaction, removed or reordered ones rewrite or break", pgMy},
	{"RL116", "missing-lock-timeout", Warning, "DDL on an existing table without a lock timeout queues every other query behind it while it waits", pgMy},
	{"RL117", "missing-statement-timeout", Warning, "DDL on an existing table without statement_timeout can hold its lock without bound", pg},
	{"RL118", "ddl-with-backfill", Warning, "DDL and a data backfill in one transaction hold the DDL's lock for the whole backfill", pgLite},
	{"RL119", "add-required-column", Error, "ADD COLUMN ... NOT NULL without a DEFAULT fails on a table with rows", pgLite},
	{"RL120", "json-column", Warning, "json has no equality operator (SELECT DISTINCT, UNION fail): use jsonb", pg},
	{"RL121", "drop-not-null", Warning, "DROP NOT NULL lets NULLs reach code that does not expect them (backward-incompatible)", pg},
	{"RL122", "reindex-not-concurrent", Warning, "REINDEX without CONCURRENTLY blocks writes (and reads using the index)", pg},
	{"RL123", "table-rewrite-command", Error, "VACUUM FULL and CLUSTER rewrite the table under ACCESS EXCLUSIVE", pg},
	{"RL124", "drop-database", Error, "DROP DATABASE in a migration", pgMy},
	{"RL125", "transaction-control", Error, "BEGIN, COMMIT or ROLLBACK inside a revision: retort runs each revision in its own transaction", anyDB},
	{"RL126", "domain-constraint", Warning, "a domain with a constraint: adding or changing it validates every column of the domain under lock", pg},
	{"RL127", "exclusion-constraint", Error, "an exclusion constraint is checked over every row under ACCESS EXCLUSIVE and cannot be NOT VALID", pg},
	{"RL128", "detach-partition-not-concurrent", Warning, "DETACH PARTITION without CONCURRENTLY takes ACCESS EXCLUSIVE on the parent", pg},
	{"RL201", "copy-algorithm", Error, "an ALTER TABLE that MySQL/MariaDB can only run as ALGORITHM=COPY: writes blocked while the table is copied", my},
	{"RL202", "inplace-rebuild", Warning, "an ALTER TABLE that runs INPLACE but rebuilds the table (long, replication lag)", my},
	{"RL203", "shared-lock-index", Warning, "a FULLTEXT or SPATIAL index is built with LOCK=SHARED: writes blocked", my},
}

var ruleByCode = func() map[string]Rule {
	m := make(map[string]Rule, len(Rules)*2)
	for _, r := range Rules {
		m[r.Code] = r
		m[r.Name] = r
	}
	return m
}()

// Lookup returns the rule with that code or name.
func Lookup(codeOrName string) (Rule, bool) {
	r, ok := ruleByCode[codeOrName]
	return r, ok
}

// RulesFor returns the rules that check dialect.
func RulesFor(dialect sqlsplit.Dialect) []Rule {
	var out []Rule
	for _, r := range Rules {
		if slices.Contains(r.Dialects, dialect) {
			out = append(out, r)
		}
	}
	return out
}

// dialectRules are one dialect's checks.
type dialectRules interface {
	splitter() sqlsplit.Dialect
	// check runs the statement rules on s.
	check(rc *revCtx, s *stmt)
	// finish runs the revision rules once every statement was checked.
	finish(rc *revCtx)
	// lock is the usual lock of s and whether it scans the table, for
	// statements no finding describes.
	lock(rc *revCtx, s *stmt, existing bool) (string, bool)
	// target is the server assumed when Options.Target is not set.
	target() Target
	// schemaIsDatabase reports whether DROP SCHEMA drops a database (MySQL,
	// where SCHEMA is a synonym of DATABASE).
	schemaIsDatabase() bool
	// exclusiveLock names the lock a metadata-only DDL takes.
	exclusiveLock() string
	// lockTimeout is the statement that sets the lock timeout, and the
	// setting's name, for RL116's advice.
	lockTimeout() (set, name string)
	// online rewrites a new revision's statements into their online forms.
	online(l *Linter, stmts []string, o OnlineOptions) (Online, error)
}

// rulesFor returns the checks for revisions written in dialect: the one
// place lint branches on which database it reads.
func rulesFor(dialect sqlsplit.Dialect) (dialectRules, error) {
	switch dialect {
	case sqlsplit.Postgres:
		return pgRules{}, nil
	case sqlsplit.MySQL:
		return myRules{}, nil
	case sqlsplit.SQLite:
		return liteRules{}, nil
	}
	return nil, fmt.Errorf("lint: no rules for the %v dialect (expected postgres, mysql or sqlite)", dialect)
}
