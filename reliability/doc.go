// Package reliability holds retort's reliability suite: tests that run the
// retort binary as a child process against real databases and kill it,
// signal it, restart its server under it and race it against itself, then
// check that the database is exactly where the version tables say it is.
// The package has no API; see RELIABILITY.md at the repository root for
// how to run each test and its last measured figures.
package reliability
