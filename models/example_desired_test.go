package models_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/retortdb/retort/dialect/postgres"
	"github.com/retortdb/retort/models"
)

// exDesiredUser is a model for the examples of Desired.
type exDesiredUser struct {
	ID    int64   `retort:"pk"`
	Name  string  `retort:"size:80"`
	Email *string `retort:"size:200"`
}

// TableName names the table, as the struct name would not.
func (exDesiredUser) TableName() string { return "users" }

// Desired describes the desired schema with Go structs.
func ExampleDesired() {
	src := models.Desired(&exDesiredUser{})
	s, err := src.Schema()
	if err != nil {
		log.Fatal(err)
	}
	for _, t := range s.Tables {
		fmt.Println(t.Name, t.PrimaryKey, len(t.Columns))
	}
	// Output: users [id] 3
}

// Schema is the structs' intermediate description, before any dialect.
func ExampleSource_Schema() {
	s, err := models.Desired(&exDesiredUser{}).Schema()
	if err != nil {
		log.Fatal(err)
	}
	t := s.Table("users")
	if t == nil {
		log.Fatal("no table users")
	}
	for _, c := range t.Columns {
		fmt.Println(c.Name)
	}
	// Output:
	// id
	// name
	// email
}

// DesiredSQL renders the structs as DDL for a dialect.
func ExampleSource_DesiredSQL() {
	files, err := models.Desired(&exDesiredUser{}).DesiredSQL(postgres.New())
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range files {
		fmt.Println(strings.Contains(f.SQL, `CREATE TABLE`), strings.Contains(f.SQL, `varchar(200)`))
	}
	// Output: true true
}
