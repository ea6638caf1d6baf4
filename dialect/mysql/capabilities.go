package mysql

import "github.com/retortdb/retort/dialect"

// Capabilities: every DDL statement commits implicitly, so the runner
// records progress statement by statement. With InspectOptions.Privileges,
// Inspect reports the grants on the database as unrepresented (MySQL
// privileges are not migrated yet), so that the note that privileges are
// ignored applies here too. A desired schema loads on eight connections:
// every CREATE TABLE waits for a log flush of its own, and sessions running
// at the same time share those flushes (a 200-table load with the mysql
// client took 11 s on one connection, 3.0 s on four and 2.3 s on eight on
// the project's 2-core machine; sixteen did no better).
func (d *Dialect) Capabilities() dialect.Capabilities {
	return dialect.Capabilities{
		Privileges: true,
		LoadConns:  8,
		Models: dialect.ModelTypes{
			Bool: "boolean",
			Int8: "tinyint", Int16: "smallint", Int32: "int", Int64: "bigint",
			Uint8: "tinyint unsigned", Uint16: "smallint unsigned", Uint32: "int unsigned", Uint64: "bigint unsigned",
			Float32: "float", Float64: "double",
			// An indexable string needs a length: 255 unless sized.
			String: "varchar(255)", SizedString: "varchar(%d)", Bytes: "longblob",
			Time: "datetime(6)", JSON: "json", UUID: "char(36)",
			AutoIncrement: " AUTO_INCREMENT",
		},
	}
}
