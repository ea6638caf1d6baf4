package postgres

// outOfLocksHint explains SQLSTATE 53200 (out_of_memory class, "out of
// shared memory"): PostgreSQL's shared lock table is full. A transaction
// holds a lock on every table, index and sequence it creates or alters
// until it commits, and the table has room for max_locks_per_transaction
// times max_connections of them across the server, so one revision that
// creates or alters thousands of tables cannot run as one transaction.
const outOfLocksHint = "PostgreSQL ran out of lock slots (out of shared memory): the revision runs as one transaction, which holds a lock on every table, index and sequence it touches until it commits, and it touches more than max_locks_per_transaction allows. " +
	"Nothing of the revision's transaction stays. Split the revision into several (a few hundred tables each; `retort baseline` does so by itself), " +
	"or add `-- Transaction: none` to its header so that each statement commits on its own, with resume records (a failure then leaves the statements before it applied: rerun upgrade to resume). " +
	"Raising max_locks_per_transaction in postgresql.conf (server restart) also works"

// lockHint returns the hint for a lock-table overflow, or "".
func lockHint(err error) string {
	if sqlState(err) == "53200" {
		return outOfLocksHint
	}
	return ""
}
