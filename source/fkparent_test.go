package source_test

import (
	"strings"
	"testing"

	"github.com/retortdb/retort/internal/sqlsplit"
	"github.com/retortdb/retort/source"
)

// TestMissingParentHint names the child, the missing parent and the line
// of the REFERENCES, and says nothing when the parent is created
// somewhere in the files (by CREATE TABLE, IF NOT EXISTS, quoted,
// schema-qualified, or a RENAME), so that a key refused for another
// reason is not blamed on its parent.
func TestMissingParentHint(t *testing.T) {
	child := "CREATE TABLE `app`.`enrolments` (\n  id INT,\n  course_id INT,\n  CONSTRAINT fk FOREIGN KEY ix (`course_id`) REFERENCES `app`.`Courses` (id)\n)"
	alter := "ALTER TABLE enrolments ADD CONSTRAINT fk FOREIGN KEY (course_id) REFERENCES courses (id)"
	cases := []struct {
		name, other, stmt, want string
	}{
		{"missing", "CREATE TABLE students (id INT)", child,
			"b.sql:5: table app.enrolments has a foreign key (course_id) to table app.Courses, which the desired schema does not create"},
		{"alter", "", alter, "b.sql:2: table enrolments has a foreign key (course_id) to table courses, which the desired schema does not create"},
		{"created", "CREATE TABLE courses (id INT)", child, ""},
		{"if not exists", "create table if not exists `COURSES` (id INT)", child, ""},
		{"qualified", "CREATE TABLE app.courses (id INT)", alter, ""},
		{"renamed", "CREATE TABLE c (id INT);\nRENAME TABLE c TO courses", alter, ""},
		{"alter rename", "CREATE TABLE c (id INT);\nALTER TABLE c RENAME TO courses", alter, ""},
		{"temporary", "CREATE TEMPORARY TABLE courses (id INT)", alter, ""},
	}
	for _, c := range cases {
		files := []source.File{{Path: "a.sql", SQL: c.other}, {Path: "b.sql", SQL: "-- x\n" + c.stmt}}
		e := &source.ApplyError{Path: "b.sql", Line: 2, SQL: c.stmt}
		got := source.MissingParentHint(files, e, sqlsplit.MySQL)
		if c.want == "" && got != "" || !strings.HasPrefix(got, c.want) {
			t.Errorf("%s: MissingParentHint = %q; want prefix %q", c.name, got, c.want)
		}
	}
}
