package sqlsplit

// Split splits script into statements using the rules of d. Empty
// statements (only white space and comments) are dropped.
func Split(script string, d Dialect) ([]Statement, error) {
	panic("sqlsplit.Split: not implemented yet")
}
