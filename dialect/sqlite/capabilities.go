package sqlite

import "github.com/retortdb/retort/dialect"

// Capabilities: SQLite rolls DDL back, and BEGIN IMMEDIATE is its
// migration lock. Only the rowid (a single INTEGER PRIMARY KEY) is
// numbered, and ALTER TABLE cannot add a foreign key.
func (d *Dialect) Capabilities() dialect.Capabilities {
	return dialect.Capabilities{
		TransactionalDDL: true,
		BeginLocks:       true,
		LoadConns:        1,
		Models: dialect.ModelTypes{
			Bool: "BOOLEAN",
			Int8: "INTEGER", Int16: "INTEGER", Int32: "INTEGER", Int64: "INTEGER",
			Uint8: "INTEGER", Uint16: "INTEGER", Uint32: "INTEGER", Uint64: "INTEGER",
			Float32: "REAL", Float64: "REAL",
			String: "TEXT", SizedString: "VARCHAR(%d)", Bytes: "BLOB",
			Time: "DATETIME", JSON: "TEXT", UUID: "TEXT",
			RowidKey: true,
		},
	}
}
