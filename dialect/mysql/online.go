package mysql

import (
	"errors"

	gomysql "github.com/go-sql-driver/mysql"
)

// Server error numbers of lock waits and refused online clauses.
const (
	// erLockWaitTimeout (1205, ER_LOCK_WAIT_TIMEOUT): a statement waited
	// lock_wait_timeout for a metadata lock (DDL, and MariaDB's
	// ALTER TABLE ... WAIT n / NOWAIT) or innodb_lock_wait_timeout for a
	// row lock, and gave up.
	erLockWaitTimeout = 1205
	// erAlterOperationNotSupported (1845) and ...Reason (1846): the
	// server cannot make an ALTER TABLE change with the ALGORITHM or LOCK
	// the statement states.
	erAlterOperationNotSupported       = 1845
	erAlterOperationNotSupportedReason = 1846
)

// algorithmRefused explains errors 1845 and 1846.
const algorithmRefused = "the server refuses to make this change with the ALGORITHM or LOCK clause the statement states (what --online writes): this server version cannot make it without blocking writes. Write it without the clause (migrate without --online) and run it in a maintenance window, or make the change with an online schema change tool (gh-ost, pt-online-schema-change)"

// LockTimedOut reports whether err is error 1205, a statement that gave
// up waiting for a lock. Such a statement did not run: DDL takes its
// metadata lock before it changes anything (and an ALTER that times out
// upgrading it at its end is rolled back), and a data change that times
// out on a row lock is rolled back, the statement at least. MySQL 8's
// 3572 (ER_LOCK_NOWAIT) is left out: only a locking read with NOWAIT
// raises it, and such a statement runs in a transaction with its
// progress record, which the runner does not retry.
func (d *Dialect) LockTimedOut(err error) bool {
	var me *gomysql.MySQLError
	return errors.As(err, &me) && me.Number == erLockWaitTimeout
}
