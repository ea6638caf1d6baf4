package importer

import (
	"fmt"
	"strings"

	"github.com/retortdb/retort/internal/script"
)

// dirKind is what an annotation line of goose, sql-migrate or dbmate says.
type dirKind int

const (
	dirUp dirKind = iota + 1
	dirDown
	dirBegin
	dirEnd
	dirNoTx
	dirEnvOn
	dirEnvOff
)

// directive is one annotation line.
type directive struct {
	kind dirKind
	// noTx: the Up or Down line itself turns the transaction off
	// (sql-migrate's "notransaction", dbmate's "transaction:false").
	noTx bool
}

// annotated is a file of a tool that marks its sections with comments.
type annotated struct {
	tool, file string
	// parse reads an annotation line: ok false for an ordinary line, an
	// error message for a malformed annotation.
	parse func(line string) (d directive, ok bool, msg string)
	opts  Options
}

// sections is what an annotated file converts to.
type sections struct {
	up, down script.Section
	noTx     bool
}

// reader is the state of one read.
type reader struct {
	a       annotated
	out     sections
	cur     *strings.Builder
	up, dn  strings.Builder
	upLine  int
	dnLine  int
	inBlock int // line of the open StatementBegin
	envOn   int // line of the open ENVSUB ON
}

// read splits text at the annotations. A missing down annotation gives an
// irreversible downgrade; a missing up annotation is refused.
func (a annotated) read(text string) (*sections, error) {
	r := &reader{a: a}
	for i, l := range lines(text) {
		d, ok, msg := a.parse(l)
		var err error
		switch {
		case msg != "":
			err = a.errorf(i+1, "%s", msg)
		case ok:
			err = r.directive(d, l, i+1)
		default:
			err = r.sql(l, i+1)
		}
		if err != nil {
			return nil, err
		}
	}
	if r.inBlock > 0 {
		return nil, a.errorf(r.inBlock, "StatementBegin without StatementEnd")
	}
	if r.upLine == 0 {
		return nil, a.errorf(0, "no up annotation: %s would run nothing from this file; add one or remove the file", a.tool)
	}
	r.out.up = section(r.up.String(), r.upLine+1)
	r.out.up.None = false
	if r.dnLine == 0 {
		r.out.down = irreversible()
	} else {
		r.out.down = section(r.dn.String(), r.dnLine+1)
	}
	return &r.out, nil
}

// sql takes an ordinary line.
func (r *reader) sql(l string, n int) error {
	if r.cur == nil {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "--") {
			return r.a.errorf(n, "SQL before the first up or down annotation: %s runs none of it; move it into a section or delete it", r.a.tool)
		}
		return nil
	}
	if r.envOn > 0 {
		x, err := r.a.expand(l, n)
		if err != nil {
			return err
		}
		l = x
	}
	r.cur.WriteString(l)
	r.cur.WriteByte('\n')
	return nil
}

// directive takes an annotation line: a section opens (section), a
// statement block opens or closes (block), or a setting changes
// (setting). Inside a section the line is kept as a comment.
func (r *reader) directive(d directive, l string, n int) error {
	r.out.noTx = r.out.noTx || d.noTx
	if d.kind == dirUp || d.kind == dirDown {
		return r.section(d.kind, n)
	}
	if r.cur != nil {
		// Kept as a comment: what the author wrote stays visible, and
		// the lines keep the numbers they have in the source file.
		r.cur.WriteString(l)
		r.cur.WriteByte('\n')
	}
	if d.kind == dirBegin || d.kind == dirEnd {
		return r.block(d.kind, n)
	}
	return r.setting(d.kind, n)
}

// block follows StatementBegin and StatementEnd, which must pair up.
func (r *reader) block(kind dirKind, n int) error {
	switch {
	case kind == dirBegin && r.inBlock > 0:
		return r.a.errorf(n, "StatementBegin inside the block opened on line %d", r.inBlock)
	case kind == dirBegin:
		r.inBlock = n
	case r.inBlock == 0:
		return r.a.errorf(n, "StatementEnd without StatementBegin")
	default:
		r.inBlock = 0
	}
	return nil
}

// setting follows NO TRANSACTION and ENVSUB ON/OFF; expanding the
// environment must be asked for (Options.Envsub), since a revision file
// cannot depend on it.
func (r *reader) setting(kind dirKind, n int) error {
	switch kind {
	case dirNoTx:
		r.out.noTx = true
	case dirEnvOn:
		if !r.a.opts.Envsub {
			return r.a.errorf(n, "ENVSUB ON: the SQL below depends on environment variables, which a revision file cannot; rerun with --envsub to expand them from this environment now, or rewrite the SQL without them")
		}
		r.envOn = n
	case dirEnvOff:
		r.envOn = 0
	}
	return nil
}

// section opens the up or down section at line n.
func (r *reader) section(kind dirKind, n int) error {
	if r.inBlock > 0 {
		return r.a.errorf(r.inBlock, "StatementBegin without StatementEnd before the next section")
	}
	line, buf, name := &r.upLine, &r.up, "up"
	if kind == dirDown {
		line, buf, name = &r.dnLine, &r.dn, "down"
	}
	if *line > 0 {
		return r.a.errorf(n, "second %s annotation (the first is on line %d)", name, *line)
	}
	*line, r.cur = n, buf
	return nil
}

func (a annotated) errorf(line int, format string, args ...any) error {
	return &SourceError{Tool: a.tool, File: a.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// expand substitutes environment variables in one line as goose's ENVSUB
// does: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR?message} and
// ${VAR:?message}. An unset variable without a default expands to "".
// Each reference is read by variable.
func (a annotated) expand(l string, n int) (string, error) {
	getenv := a.opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var b strings.Builder
	for i := 0; i < len(l); i++ {
		if l[i] != '$' || i+1 == len(l) {
			b.WriteByte(l[i])
			continue
		}
		v, next, err := a.variable(l, i, n, getenv)
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		i = next - 1
	}
	return b.String(), nil
}

// variable expands the reference at l[i], a '$' with a byte after it, on
// line n: its value and the index after it. A '$' before no name stays
// itself.
func (a annotated) variable(l string, i, n int, getenv func(string) string) (string, int, error) {
	if l[i+1] == '{' {
		end := strings.IndexByte(l[i+2:], '}')
		if end < 0 {
			return "", 0, a.errorf(n, "unterminated ${ in an ENVSUB region")
		}
		v, err := envValue(l[i+2:i+2+end], getenv)
		if err != nil {
			return "", 0, a.errorf(n, "%v", err)
		}
		return v, i + 3 + end, nil
	}
	j := envNameEnd(l, i+1)
	if j == i+1 {
		return "$", i + 1, nil
	}
	return getenv(l[i+1 : j]), j, nil
}

// envNameEnd returns the end of the variable name at l[start]: letters
// and '_', then digits too.
func envNameEnd(l string, start int) int {
	j := start
	for j < len(l) && (envNameStart(l[j]) || j > start && l[j] >= '0' && l[j] <= '9') {
		j++
	}
	return j
}

// envNameStart reports a byte that may start a variable name.
func envNameStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// envValue evaluates the inside of ${...}.
func envValue(expr string, getenv func(string) string) (string, error) {
	name, rest := expr, ""
	if k := strings.IndexAny(expr, ":-?"); k >= 0 {
		name, rest = expr[:k], expr[k:]
	}
	v := getenv(name)
	switch {
	case rest == "":
		return v, nil
	case strings.HasPrefix(rest, ":-"), strings.HasPrefix(rest, "-"):
		if v == "" {
			return strings.TrimPrefix(strings.TrimPrefix(rest, ":"), "-"), nil
		}
		return v, nil
	case strings.HasPrefix(rest, ":?"), strings.HasPrefix(rest, "?"):
		if v == "" {
			return "", fmt.Errorf("environment variable %s is not set: %s", name, strings.TrimPrefix(strings.TrimPrefix(rest, ":"), "?"))
		}
		return v, nil
	}
	return "", fmt.Errorf("${%s}: unsupported expansion", expr)
}
