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
// only: SET or RESET, but not SET GLOBAL/PERSIST, SET TRANSACTION, SET
// CONSTRAINTS, SET LOCAL (transaction-wide), SET PASSWORD or SET DEFAULT
// ROLE, which either change more than the session or mean nothing outside
// the transaction they ran in.
func sessionSetting(stmt string, d sqlsplit.Dialect) bool {
	toks, err := sqlsplit.Tokens(stmt, d)
	if err != nil || len(toks) < 2 || toks[0].Kind != sqlsplit.Word {
		return false
	}
	switch strings.ToUpper(toks[0].Text) {
	case "SET", "RESET":
	default:
		return false
	}
	if strings.Contains(strings.ToLower(stmt), "@@global") || strings.Contains(strings.ToLower(stmt), "@@persist") {
		return false
	}
	if toks[1].Kind == sqlsplit.Word && strings.EqualFold(toks[1].Text, "DEFAULT") {
		return false
	}
	for _, t := range toks[1:] {
		if t.Kind != sqlsplit.Word {
			continue
		}
		switch strings.ToUpper(t.Text) {
		case "GLOBAL", "PERSIST", "PERSIST_ONLY", "TRANSACTION", "CONSTRAINTS", "LOCAL", "PASSWORD":
			return false
		}
	}
	return true
}
