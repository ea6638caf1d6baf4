package runner

import (
	"context"
	"fmt"
	"strings"

	"github.com/retortdb/retort/internal/sqlsplit"
)

// restoreSession runs again, on a resume at statement start, the earlier
// statements of the step that set the session (SET lock_timeout, SET
// statement_timeout, SET search_path, ...). They ran on the connection
// of the run that stopped, and the statements after them were written to
// run under them: without this, an online revision resumed on a new
// connection would run its DDL with no lock timeout.
func (r *stepRun) restoreSession(ctx context.Context, start int) error {
	if r.st.isGo() {
		return nil
	}
	var ran []string
	for i := range start {
		text := r.st.stmts[i].Text
		if !sessionSetting(text, r.d.Splitter()) {
			continue
		}
		if _, err := r.conn.ExecContext(ctx, text); err != nil {
			return r.statementError(ctx, r.st, i, fmt.Errorf("run again on resume, since it sets the session for the statements after it: %w", err), "")
		}
		ran = append(ran, fmt.Sprint(i+1))
	}
	if len(ran) > 0 {
		r.emit(Event{Kind: EventSessionRestored, Revision: r.st.id(), Direction: r.st.Direction, Statement: start + 1, Count: r.n,
			Message: fmt.Sprintf("Ran statement(s) %s of %s again first: they set the session for the statements after them", strings.Join(ran, ", "), r.st.id())})
	}
	return nil
}

// sessionSetting reports whether stmt sets a variable of the session
// only: SET or RESET, but not SET GLOBAL/PERSIST (nor @@global,
// @@persist), SET TRANSACTION, SET CONSTRAINTS, SET LOCAL
// (transaction-wide), SET PASSWORD or SET DEFAULT ROLE, which either
// change more than the session or mean nothing outside the transaction
// they ran in.
func sessionSetting(stmt string, d sqlsplit.Dialect) bool {
	toks, err := sqlsplit.Tokens(stmt, d)
	if err != nil || len(toks) < 2 || !wordIn(toks[0], "SET", "RESET") {
		return false
	}
	if setsGlobal(stmt) || wordIn(toks[1], "DEFAULT") {
		return false
	}
	for _, t := range toks[1:] {
		if t.Kind == sqlsplit.Word && notSessionWords[strings.ToUpper(t.Text)] {
			return false
		}
	}
	return true
}

// setsGlobal reports a MySQL @@global or @@persist variable in stmt.
func setsGlobal(stmt string) bool {
	lower := strings.ToLower(stmt)
	return strings.Contains(lower, "@@global") || strings.Contains(lower, "@@persist")
}

// notSessionWords make a SET statement more (or less) than a session
// setting, wherever they stand in it.
var notSessionWords = map[string]bool{
	"GLOBAL": true, "PERSIST": true, "PERSIST_ONLY": true, "TRANSACTION": true,
	"CONSTRAINTS": true, "LOCAL": true, "PASSWORD": true,
}

// wordIn reports whether t is a bare word, one of words in any case.
func wordIn(t sqlsplit.Token, words ...string) bool {
	if t.Kind != sqlsplit.Word {
		return false
	}
	for _, w := range words {
		if strings.EqualFold(t.Text, w) {
			return true
		}
	}
	return false
}
