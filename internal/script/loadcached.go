package script

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// LoadDirCached is LoadDir for commands that show revisions but run none
// of their SQL (heads, history). dir is the versions directory on disk.
// The revisions have HeaderOnly set and carry their checksum and which
// sections they have, not the sections' SQL. A file that the files cache
// at cachePath (see FilesCacheFile and the comment on filesCache) proves
// unchanged since it was read is not opened; every other file is read
// and parsed as LoadDir does, and recorded in the cache once it has not
// changed for settleMargin. cachePath "" reads every file. Errors are
// LoadDir's.
func LoadDirCached(dir, cachePath string) ([]*Revision, error) {
	return cachedLoad{dir: dir, cachePath: cachePath, now: time.Now, read: readStamped, onBodyError: refuseBody}.load()
}

// LoadHeadersCached is LoadDirCached for commands that need the graph
// only (current): as in LoadHeaders, a file whose header parses but whose
// sections do not still loads, with its checksum (and is not recorded).
func LoadHeadersCached(dir, cachePath string) ([]*Revision, error) {
	return cachedLoad{dir: dir, cachePath: cachePath, now: time.Now, read: readStamped, onBodyError: headerOnly}.load()
}

// cachedLoad is one load through the files cache.
type cachedLoad struct {
	dir, cachePath string
	now            func() time.Time
	// read reads a file and the stamp fstat gave before reading it.
	read func(path string) ([]byte, fileStamp, error)
	// onBodyError is what a file whose full parse failed with err loads
	// as, or the error to report.
	onBodyError func(name string, data []byte, err error) (*Revision, error)
}

// loaded is what a load made of one file: the revision, and the entry
// to record (nil for none); hit is set when the entry came from the cache.
type loaded struct {
	rev   *Revision
	entry *cacheEntry
	hit   bool
	err   error
}

func (l cachedLoad) load() ([]*Revision, error) {
	if !stampsKept {
		l.cachePath = ""
	}
	names, err := revisionFiles(DirFS(l.dir))
	if err != nil {
		return nil, err
	}
	// Taken before any file is looked at: see fileStamp.settledAt.
	t0 := l.now().UnixNano()
	old, sd := l.openCache()
	defer sd.close()
	files := l.loadAll(names, old, sd, t0)
	revs := make([]*Revision, len(names))
	for i, f := range files {
		if f.err != nil {
			return nil, f.err
		}
		revs[i] = f.rev
	}
	if err := checkUnique(names, revs); err != nil {
		return nil, err
	}
	l.record(files, old)
	return revs, nil
}

// openCache reads the cache and opens the directory for stat; no
// entries when there is no usable cache or the directory cannot be
// opened (every file is then read).
func (l cachedLoad) openCache() (cacheEntries, statDir) {
	if l.cachePath == "" {
		return nil, statDir{}
	}
	old := readCache(l.cachePath, l.dir)
	if len(old) == 0 {
		return nil, statDir{}
	}
	sd, err := openStatDir(l.dir)
	if err != nil {
		return nil, statDir{}
	}
	return old, sd
}

// loadAll loads the files names: first the cache's hits, then by reading
// the others.
func (l cachedLoad) loadAll(names []string, old cacheEntries, sd statDir, t0 int64) []loaded {
	files := make([]loaded, len(names))
	if len(old) > 0 {
		eachFile(len(names), spreadHits, func(i int) { files[i] = hit(names[i], sd, old) })
	}
	var misses []int
	for i, f := range files {
		if !f.hit {
			misses = append(misses, i)
		}
	}
	eachFile(len(misses), spreadReads, func(k int) { files[misses[k]] = l.readOne(names[misses[k]], t0) })
	return files
}

// hit loads the file name from its cache entry when stat shows it
// unchanged since the entry was made; the zero loaded otherwise.
func hit(name string, sd statDir, old cacheEntries) loaded {
	e, ok := old.find(name)
	if !ok {
		return loaded{}
	}
	if st, err := sd.stat(name); err != nil || st != e.stamp {
		return loaded{}
	}
	r, err := e.revision()
	if err != nil {
		return loaded{}
	}
	return loaded{rev: r, entry: &e, hit: true}
}

// readOne loads the file name by reading it, in a load that began at t0.
func (l cachedLoad) readOne(name string, t0 int64) loaded {
	data, st, err := l.read(filepath.Join(l.dir, name))
	if err != nil {
		return loaded{err: fmt.Errorf("load revision %s: %w", name, err)}
	}
	r, err := Parse(name, data)
	if err != nil {
		r, err = l.onBodyError(name, data, err)
		return loaded{rev: r, err: err}
	}
	f := loaded{rev: r}
	if l.cachePath != "" && st.settledAt(t0) {
		e := newEntry(name, r, data, st)
		f.entry = &e
	}
	stripSQL(r)
	return f
}

// record rewrites the cache when this load has an entry to add (a file
// read and settled) or to drop (a file gone or changed); a failure to
// write it is ignored (the cache only saves time).
func (l cachedLoad) record(files []loaded, old cacheEntries) {
	if l.cachePath == "" {
		return
	}
	hits, added := 0, 0
	for _, f := range files {
		switch {
		case f.hit:
			hits++
		case f.entry != nil:
			added++
		}
	}
	if added == 0 && hits == len(old) {
		return
	}
	entries := make(cacheEntries, 0, hits+added)
	for _, f := range files {
		if f.entry != nil {
			entries = append(entries, *f.entry)
		}
	}
	_ = writeCache(l.cachePath, l.dir, entries)
}

// stripSQL drops the sections' SQL of a revision parsed in full, for the
// loads that return HeaderOnly revisions.
func stripSQL(r *Revision) {
	r.Up.SQL, r.Up.Line = "", 0
	r.Down.SQL, r.Down.Line = "", 0
	r.HeaderOnly = true
}

// refuseBody reports a file that does not parse.
func refuseBody(_ string, _ []byte, err error) (*Revision, error) { return nil, err }

// headerOnly loads a file whose sections do not parse from its header,
// as LoadHeaders does, with the checksum of the whole file.
func headerOnly(name string, data []byte, err error) (*Revision, error) {
	var pe *ParseError
	if !errors.As(err, &pe) {
		return nil, err
	}
	r, herr := ParseHeader(name, headerOf(data))
	if herr != nil {
		return nil, herr
	}
	r.Checksum = Checksum(data)
	return r, nil
}
