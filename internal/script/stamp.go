package script

import "time"

// fileStamp is what stat says of a file that changes whenever its
// content does: see filesCache for why these fields and which of them
// the staleness rule relies on.
type fileStamp struct {
	size, mtime, ctime int64 // mtime and ctime in nanoseconds since 1970
	ino, dev           uint64
}

// settleMargin is how long before a load began a file must last have
// changed (its ctime) for the load's record of it to be trusted later.
// It covers the coarsest timestamps the supported file systems keep
// (FAT's 2 seconds; Linux stamps files from a clock that ticks every few
// milliseconds) and a small difference between the clock that stamps a
// file and the one that retort reads.
const settleMargin = 2 * time.Second

// settledAt reports whether a record of a file made by a load that began
// at t0 (nanoseconds since 1970) may be trusted on a later load whose stat finds the same stamp:
// the file's last change (ctime, which no user call can set) lies more
// than settleMargin before t0. Any later change of the file then gives
// it a ctime after t0, so a different stamp; a change within the same
// timestamp tick as the recorded one, which the stamp could not tell
// apart, would have had to happen before t0 - settleMargin + the tick,
// that is before the load read the file.
func (s fileStamp) settledAt(t0 int64) bool {
	return s.ctime < t0-int64(settleMargin)
}
