package runner

import (
	"context"
	"errors"
	"testing"

	"github.com/retortdb/retort/internal/revision"
)

// The log table keeps InterruptedError.Error; status tells an interrupted
// run from a failed one by it, so the two must agree.
func TestIsInterruptedMessage(t *testing.T) {
	for _, d := range []revision.Direction{revision.Up, revision.Down} {
		e := &InterruptedError{Cause: context.Canceled, Direction: d, Revision: "0002", Path: "migrations/versions/0002 (b).sql",
			Where: "during statement 2 of 2", State: "statement 1 ran", Next: "rerun"}
		if !isInterruptedMessage(e.Error()) {
			t.Errorf("%q is not recognized as an interruption", e.Error())
		}
	}
	se := &StatementError{Revision: "0002", Path: "x.sql", Err: errors.New("interrupted (by a trigger)")}
	if isInterruptedMessage(se.Error()) {
		t.Errorf("%q is taken for an interruption", se.Error())
	}
}
