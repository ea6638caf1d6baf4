package engine_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/engine"
	"github.com/retortdb/retort/internal/revision"
)

// A generated revision that fails on the server's documented limit is
// reported as that limit with the way around, never as a bug in retort.
func TestVerifyErrorServerLimit(t *testing.T) {
	e := &engine.VerifyError{Direction: revision.Up, Err: errors.New("Error 8200 (HY000): Unsupported drop primary key when the table is using clustered index"),
		Statement: "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (a, b)", Index: 1, Count: 1,
		ServerLimit: "TiDB's limit (error 8200): TiDB cannot change the primary key of a clustered table"}
	msg := e.Error()
	if strings.Contains(msg, "bug in retort") || !strings.Contains(msg, "TiDB's limit (error 8200)") {
		t.Errorf("VerifyError = %q; want TiDB's limit, not a bug in retort", msg)
	}
	e.ServerLimit = ""
	if !strings.Contains(e.Error(), "bug in retort") {
		t.Errorf("without a server limit the failure is retort's: %q", e.Error())
	}
}
