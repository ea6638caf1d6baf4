package change

import (
	"errors"
	"fmt"
)

// Visitor has one method per change kind. Every dialect's renderer is a
// Visitor: Visit is the one dispatch from a change to the code that
// renders it, so the three renderers share one shape (a method per kind
// that appends to the renderer's statements) and a new kind is added in
// one place. A renderer embeds Refuse and defines the methods for what
// its database supports; the rest are refused by name.
type Visitor interface {
	AddTable(*AddTable) error
	DropTable(*DropTable) error
	RenameTable(*RenameTable) error
	AddColumn(*AddColumn) error
	DropColumn(*DropColumn) error
	RenameColumn(*RenameColumn) error
	AlterColumn(*AlterColumn) error
	SetPrimaryKey(*SetPrimaryKey) error
	AddUnique(*AddUnique) error
	DropUnique(*DropUnique) error
	AddIndex(*AddIndex) error
	DropIndex(*DropIndex) error
	AddForeignKey(*AddForeignKey) error
	DropForeignKey(*DropForeignKey) error
	AddCheck(*AddCheck) error
	DropCheck(*DropCheck) error
	SetTableComment(*SetTableComment) error
	AddType(*AddType) error
	DropType(*DropType) error
	AddEnumValues(*AddEnumValues) error
	RemoveEnumValues(*RemoveEnumValues) error
	AddSequence(*AddSequence) error
	DropSequence(*DropSequence) error
	AlterSequence(*AlterSequence) error
	AddView(*AddView) error
	DropView(*DropView) error
	AddRoutine(*AddRoutine) error
	DropRoutine(*DropRoutine) error
	ReplaceRoutine(*ReplaceRoutine) error
	AddTrigger(*AddTrigger) error
	DropTrigger(*DropTrigger) error
	AddNamespace(*AddNamespace) error
	DropNamespace(*DropNamespace) error
	AddExtension(*AddExtension) error
	DropExtension(*DropExtension) error
	AddRule(*AddRule) error
	DropRule(*DropRule) error
	ReplaceRule(*ReplaceRule) error
	SetNamespaceComment(*SetNamespaceComment) error
	AlterPartitioning(*AlterPartitioning) error
	SetTableOptions(*SetTableOptions) error
	AddEvent(*AddEvent) error
	DropEvent(*DropEvent) error
	ReplaceEvent(*ReplaceEvent) error
	AddExclusion(*AddExclusion) error
	DropExclusion(*DropExclusion) error
	SetRowSecurity(*SetRowSecurity) error
	AddPolicy(*AddPolicy) error
	DropPolicy(*DropPolicy) error
	AddGrant(*AddGrant) error
	DropGrant(*DropGrant) error
	SetClusterIndex(*SetClusterIndex) error
}

// Visit calls the method of v for c's kind. A kind outside this package
// (a dialect's own joined change) is the caller's to dispatch first.
func Visit(v Visitor, c Change) error {
	if c == nil {
		return errors.New("nil change")
	}
	for _, visit := range []func(Visitor, Change) (bool, error){visitTable, visitObject, visitServer} {
		if ok, err := visit(v, c); ok {
			return err
		}
	}
	return fmt.Errorf("change %T: no renderer method for this kind", c)
}

// visitTable dispatches the changes on a table: the table itself, its
// columns, keys, indexes, checks and comment; ok is false for another
// kind.
func visitTable(v Visitor, c Change) (ok bool, err error) {
	switch c := c.(type) {
	case *AddTable:
		return true, v.AddTable(c)
	case *DropTable:
		return true, v.DropTable(c)
	case *RenameTable:
		return true, v.RenameTable(c)
	case *AddColumn:
		return true, v.AddColumn(c)
	case *DropColumn:
		return true, v.DropColumn(c)
	case *RenameColumn:
		return true, v.RenameColumn(c)
	case *AlterColumn:
		return true, v.AlterColumn(c)
	case *SetPrimaryKey:
		return true, v.SetPrimaryKey(c)
	case *AddUnique:
		return true, v.AddUnique(c)
	case *DropUnique:
		return true, v.DropUnique(c)
	case *AddIndex:
		return true, v.AddIndex(c)
	case *DropIndex:
		return true, v.DropIndex(c)
	case *AddForeignKey:
		return true, v.AddForeignKey(c)
	case *DropForeignKey:
		return true, v.DropForeignKey(c)
	case *AddCheck:
		return true, v.AddCheck(c)
	case *DropCheck:
		return true, v.DropCheck(c)
	case *SetTableComment:
		return true, v.SetTableComment(c)
	}
	return false, nil
}

// visitObject dispatches the objects beside tables: types, sequences,
// views, routines, triggers, schemas, extensions and rules; ok is false
// for another kind.
func visitObject(v Visitor, c Change) (ok bool, err error) {
	switch c := c.(type) {
	case *AddType:
		return true, v.AddType(c)
	case *DropType:
		return true, v.DropType(c)
	case *AddEnumValues:
		return true, v.AddEnumValues(c)
	case *RemoveEnumValues:
		return true, v.RemoveEnumValues(c)
	case *AddSequence:
		return true, v.AddSequence(c)
	case *DropSequence:
		return true, v.DropSequence(c)
	case *AlterSequence:
		return true, v.AlterSequence(c)
	case *AddView:
		return true, v.AddView(c)
	case *DropView:
		return true, v.DropView(c)
	case *AddRoutine:
		return true, v.AddRoutine(c)
	case *DropRoutine:
		return true, v.DropRoutine(c)
	case *ReplaceRoutine:
		return true, v.ReplaceRoutine(c)
	case *AddTrigger:
		return true, v.AddTrigger(c)
	case *DropTrigger:
		return true, v.DropTrigger(c)
	case *AddNamespace:
		return true, v.AddNamespace(c)
	case *DropNamespace:
		return true, v.DropNamespace(c)
	case *AddExtension:
		return true, v.AddExtension(c)
	case *DropExtension:
		return true, v.DropExtension(c)
	case *AddRule:
		return true, v.AddRule(c)
	case *DropRule:
		return true, v.DropRule(c)
	case *ReplaceRule:
		return true, v.ReplaceRule(c)
	case *SetNamespaceComment:
		return true, v.SetNamespaceComment(c)
	}
	return false, nil
}

// visitServer dispatches the kinds only one server has: MySQL's
// partitioning, table options and events, PostgreSQL's exclusion
// constraints, row-level security, policies, grants and CLUSTER ON; ok
// is false for another kind.
func visitServer(v Visitor, c Change) (ok bool, err error) {
	switch c := c.(type) {
	case *AlterPartitioning:
		return true, v.AlterPartitioning(c)
	case *SetTableOptions:
		return true, v.SetTableOptions(c)
	case *AddEvent:
		return true, v.AddEvent(c)
	case *DropEvent:
		return true, v.DropEvent(c)
	case *ReplaceEvent:
		return true, v.ReplaceEvent(c)
	case *AddExclusion:
		return true, v.AddExclusion(c)
	case *DropExclusion:
		return true, v.DropExclusion(c)
	case *SetRowSecurity:
		return true, v.SetRowSecurity(c)
	case *AddPolicy:
		return true, v.AddPolicy(c)
	case *DropPolicy:
		return true, v.DropPolicy(c)
	case *AddGrant:
		return true, v.AddGrant(c)
	case *DropGrant:
		return true, v.DropGrant(c)
	case *SetClusterIndex:
		return true, v.SetClusterIndex(c)
	}
	return false, nil
}

// Refuse is the Visitor that renders nothing: each method returns an
// *UnsupportedError naming the change and the database. Embedded in a
// dialect's renderer it refuses every kind the renderer does not define.
type Refuse struct {
	// Dialect names the database in the error ("SQLite").
	Dialect string
	// Err, when set, is what the error also matches with errors.Is,
	// beside errors.ErrUnsupported (a dialect's own sentinel).
	Err error
}

func (r Refuse) refuse(c Change) error {
	return &UnsupportedError{Dialect: r.Dialect, Change: c, Err: r.Err}
}

// AddTable refuses c.
func (r Refuse) AddTable(c *AddTable) error { return r.refuse(c) }

// DropTable refuses c.
func (r Refuse) DropTable(c *DropTable) error { return r.refuse(c) }

// RenameTable refuses c.
func (r Refuse) RenameTable(c *RenameTable) error { return r.refuse(c) }

// AddColumn refuses c.
func (r Refuse) AddColumn(c *AddColumn) error { return r.refuse(c) }

// DropColumn refuses c.
func (r Refuse) DropColumn(c *DropColumn) error { return r.refuse(c) }

// RenameColumn refuses c.
func (r Refuse) RenameColumn(c *RenameColumn) error { return r.refuse(c) }

// AlterColumn refuses c.
func (r Refuse) AlterColumn(c *AlterColumn) error { return r.refuse(c) }

// SetPrimaryKey refuses c.
func (r Refuse) SetPrimaryKey(c *SetPrimaryKey) error { return r.refuse(c) }

// AddUnique refuses c.
func (r Refuse) AddUnique(c *AddUnique) error { return r.refuse(c) }

// DropUnique refuses c.
func (r Refuse) DropUnique(c *DropUnique) error { return r.refuse(c) }

// AddIndex refuses c.
func (r Refuse) AddIndex(c *AddIndex) error { return r.refuse(c) }

// DropIndex refuses c.
func (r Refuse) DropIndex(c *DropIndex) error { return r.refuse(c) }

// AddForeignKey refuses c.
func (r Refuse) AddForeignKey(c *AddForeignKey) error { return r.refuse(c) }

// DropForeignKey refuses c.
func (r Refuse) DropForeignKey(c *DropForeignKey) error { return r.refuse(c) }

// AddCheck refuses c.
func (r Refuse) AddCheck(c *AddCheck) error { return r.refuse(c) }

// DropCheck refuses c.
func (r Refuse) DropCheck(c *DropCheck) error { return r.refuse(c) }

// SetTableComment refuses c.
func (r Refuse) SetTableComment(c *SetTableComment) error { return r.refuse(c) }

// AddType refuses c.
func (r Refuse) AddType(c *AddType) error { return r.refuse(c) }

// DropType refuses c.
func (r Refuse) DropType(c *DropType) error { return r.refuse(c) }

// AddEnumValues refuses c.
func (r Refuse) AddEnumValues(c *AddEnumValues) error { return r.refuse(c) }

// RemoveEnumValues refuses c.
func (r Refuse) RemoveEnumValues(c *RemoveEnumValues) error { return r.refuse(c) }

// AddSequence refuses c.
func (r Refuse) AddSequence(c *AddSequence) error { return r.refuse(c) }

// DropSequence refuses c.
func (r Refuse) DropSequence(c *DropSequence) error { return r.refuse(c) }

// AlterSequence refuses c.
func (r Refuse) AlterSequence(c *AlterSequence) error { return r.refuse(c) }

// AddView refuses c.
func (r Refuse) AddView(c *AddView) error { return r.refuse(c) }

// DropView refuses c.
func (r Refuse) DropView(c *DropView) error { return r.refuse(c) }

// AddRoutine refuses c.
func (r Refuse) AddRoutine(c *AddRoutine) error { return r.refuse(c) }

// DropRoutine refuses c.
func (r Refuse) DropRoutine(c *DropRoutine) error { return r.refuse(c) }

// ReplaceRoutine refuses c.
func (r Refuse) ReplaceRoutine(c *ReplaceRoutine) error { return r.refuse(c) }

// AddTrigger refuses c.
func (r Refuse) AddTrigger(c *AddTrigger) error { return r.refuse(c) }

// DropTrigger refuses c.
func (r Refuse) DropTrigger(c *DropTrigger) error { return r.refuse(c) }

// AddNamespace refuses c.
func (r Refuse) AddNamespace(c *AddNamespace) error { return r.refuse(c) }

// DropNamespace refuses c.
func (r Refuse) DropNamespace(c *DropNamespace) error { return r.refuse(c) }

// AddExtension refuses c.
func (r Refuse) AddExtension(c *AddExtension) error { return r.refuse(c) }

// DropExtension refuses c.
func (r Refuse) DropExtension(c *DropExtension) error { return r.refuse(c) }

// AddRule refuses c.
func (r Refuse) AddRule(c *AddRule) error { return r.refuse(c) }

// DropRule refuses c.
func (r Refuse) DropRule(c *DropRule) error { return r.refuse(c) }

// ReplaceRule refuses c.
func (r Refuse) ReplaceRule(c *ReplaceRule) error { return r.refuse(c) }

// SetNamespaceComment refuses c.
func (r Refuse) SetNamespaceComment(c *SetNamespaceComment) error { return r.refuse(c) }

// AlterPartitioning refuses c.
func (r Refuse) AlterPartitioning(c *AlterPartitioning) error { return r.refuse(c) }

// SetTableOptions refuses c.
func (r Refuse) SetTableOptions(c *SetTableOptions) error { return r.refuse(c) }

// AddEvent refuses c.
func (r Refuse) AddEvent(c *AddEvent) error { return r.refuse(c) }

// DropEvent refuses c.
func (r Refuse) DropEvent(c *DropEvent) error { return r.refuse(c) }

// ReplaceEvent refuses c.
func (r Refuse) ReplaceEvent(c *ReplaceEvent) error { return r.refuse(c) }

// AddExclusion refuses c.
func (r Refuse) AddExclusion(c *AddExclusion) error { return r.refuse(c) }

// DropExclusion refuses c.
func (r Refuse) DropExclusion(c *DropExclusion) error { return r.refuse(c) }

// SetRowSecurity refuses c.
func (r Refuse) SetRowSecurity(c *SetRowSecurity) error { return r.refuse(c) }

// AddPolicy refuses c.
func (r Refuse) AddPolicy(c *AddPolicy) error { return r.refuse(c) }

// DropPolicy refuses c.
func (r Refuse) DropPolicy(c *DropPolicy) error { return r.refuse(c) }

// AddGrant refuses c.
func (r Refuse) AddGrant(c *AddGrant) error { return r.refuse(c) }

// DropGrant refuses c.
func (r Refuse) DropGrant(c *DropGrant) error { return r.refuse(c) }

// SetClusterIndex refuses c.
func (r Refuse) SetClusterIndex(c *SetClusterIndex) error { return r.refuse(c) }

// UnsupportedError is a change a dialect cannot render. It matches
// errors.ErrUnsupported, and Err when that is set. Its text says what is
// wrong, not which change: the renderer's error around it names the
// change once, as it does for every other failure.
type UnsupportedError struct {
	Dialect string
	Change  Change
	Err     error
}

func (e *UnsupportedError) Error() string {
	return e.Dialect + " cannot make this change"
}

// Is matches errors.ErrUnsupported.
func (e *UnsupportedError) Is(target error) bool { return target == errors.ErrUnsupported }

// Unwrap returns the dialect's own sentinel, if any.
func (e *UnsupportedError) Unwrap() error { return e.Err }
