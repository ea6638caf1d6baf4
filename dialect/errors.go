package dialect

import (
	"errors"
	"fmt"
	"time"
)

// ErrLockTimeout is returned when the migration lock could not be taken in
// time.
var ErrLockTimeout = errors.New("timed out waiting for the migration lock")

// LockTimeoutError says how long retort waited for the migration lock.
type LockTimeoutError struct {
	Waited time.Duration
}

// Error implements error.
func (e *LockTimeoutError) Error() string {
	return fmt.Sprintf("timed out after %s waiting for the migration lock: another retort is migrating this database (raise --lock-timeout to wait longer)", e.Waited.Round(time.Millisecond))
}

// Unwrap lets errors.Is find ErrLockTimeout.
func (e *LockTimeoutError) Unwrap() error { return ErrLockTimeout }
