package mysql

// Server error numbers of refused online clauses.
const (
	// erAlterOperationNotSupported (1845) and ...Reason (1846): the
	// server cannot make an ALTER TABLE change with the ALGORITHM or LOCK
	// the statement states.
	erAlterOperationNotSupported       = 1845
	erAlterOperationNotSupportedReason = 1846
)

// algorithmRefused explains errors 1845 and 1846.
const algorithmRefused = "the server refuses to make this change with the ALGORITHM or LOCK clause the statement states (what --online writes): this server version cannot make it without blocking writes. Write it without the clause (migrate without --online) and run it in a maintenance window, or make the change with an online schema change tool (gh-ost, pt-online-schema-change)"
