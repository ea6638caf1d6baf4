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

// read splits text at the annotations. A missing down annotation gives an
// irreversible downgrade; a missing up annotation is refused.
func (a annotated) read(text string) (*sections, error) {
	var (
		out     sections
		cur     *strings.Builder
		up, dn  strings.Builder
		upLine  int
		dnLine  int
		inBlock int // line of the open StatementBegin
		envOn   int // line of the open ENVSUB ON
	)
	for i, l := range lines(text) {
		n := i + 1
		d, ok, msg := a.parse(l)
		if msg != "" {
			return nil, a.errorf(n, "%s", msg)
		}
		if !ok {
			if cur == nil {
				if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "--") {
					return nil, a.errorf(n, "SQL before the first up or down annotation: %s runs none of it; move it into a section or delete it", a.tool)
				}
				continue
			}
			if envOn > 0 {
				x, err := a.expand(l, n)
				if err != nil {
					return nil, err
				}
				l = x
			}
			cur.WriteString(l)
			cur.WriteByte('\n')
			continue
		}
		out.noTx = out.noTx || d.noTx
		if cur != nil && d.kind != dirUp && d.kind != dirDown {
			// Kept as a comment: what the author wrote stays visible, and
			// the lines keep the numbers they have in the source file.
			cur.WriteString(l)
			cur.WriteByte('\n')
		}
		switch d.kind {
		case dirUp, dirDown:
			if inBlock > 0 {
				return nil, a.errorf(inBlock, "StatementBegin without StatementEnd before the next section")
			}
			if d.kind == dirUp {
				if upLine > 0 {
					return nil, a.errorf(n, "second up annotation (the first is on line %d)", upLine)
				}
				upLine, cur = n, &up
			} else {
				if dnLine > 0 {
					return nil, a.errorf(n, "second down annotation (the first is on line %d)", dnLine)
				}
				dnLine, cur = n, &dn
			}
		case dirBegin:
			if inBlock > 0 {
				return nil, a.errorf(n, "StatementBegin inside the block opened on line %d", inBlock)
			}
			inBlock = n
		case dirEnd:
			if inBlock == 0 {
				return nil, a.errorf(n, "StatementEnd without StatementBegin")
			}
			inBlock = 0
		case dirNoTx:
			out.noTx = true
		case dirEnvOn:
			if !a.opts.Envsub {
				return nil, a.errorf(n, "ENVSUB ON: the SQL below depends on environment variables, which a revision file cannot; rerun with --envsub to expand them from this environment now, or rewrite the SQL without them")
			}
			envOn = n
		case dirEnvOff:
			envOn = 0
		}
	}
	if inBlock > 0 {
		return nil, a.errorf(inBlock, "StatementBegin without StatementEnd")
	}
	if upLine == 0 {
		return nil, a.errorf(0, "no up annotation: %s would run nothing from this file; add one or remove the file", a.tool)
	}
	out.up = section(up.String(), upLine+1)
	out.up.None = false
	if dnLine == 0 {
		out.down = irreversible()
	} else {
		out.down = section(dn.String(), dnLine+1)
	}
	return &out, nil
}

func (a annotated) errorf(line int, format string, args ...any) error {
	return &SourceError{Tool: a.tool, File: a.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// expand substitutes environment variables in one line as goose's ENVSUB
// does: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR?message} and
// ${VAR:?message}. An unset variable without a default expands to "".
func (a annotated) expand(l string, n int) (string, error) {
	getenv := a.opts.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var b strings.Builder
	for i := 0; i < len(l); i++ {
		c := l[i]
		if c != '$' || i+1 == len(l) {
			b.WriteByte(c)
			continue
		}
		if l[i+1] == '{' {
			end := strings.IndexByte(l[i+2:], '}')
			if end < 0 {
				return "", a.errorf(n, "unterminated ${ in an ENVSUB region")
			}
			v, err := envValue(l[i+2:i+2+end], getenv)
			if err != nil {
				return "", a.errorf(n, "%v", err)
			}
			b.WriteString(v)
			i += 2 + end
			continue
		}
		j := i + 1
		for j < len(l) && (l[j] == '_' || l[j] >= 'a' && l[j] <= 'z' || l[j] >= 'A' && l[j] <= 'Z' || j > i+1 && l[j] >= '0' && l[j] <= '9') {
			j++
		}
		if j == i+1 {
			b.WriteByte(c)
			continue
		}
		b.WriteString(getenv(l[i+1 : j]))
		i = j - 1
	}
	return b.String(), nil
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
