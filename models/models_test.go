package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/retortdb/retort/dialect"
	"github.com/retortdb/retort/dialect/dialects"
	"github.com/retortdb/retort/internal/testdb"
	"github.com/retortdb/retort/models"
	"github.com/retortdb/retort/models/internal/fixtures"
	"github.com/retortdb/retort/schema"
	"github.com/retortdb/retort/source"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if d := cmp.Diff(string(want), got); d != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, d)
	}
}

func loadFixtures(t *testing.T) *models.Schema {
	t.Helper()
	s, err := models.Load(context.Background(), "internal/fixtures", ".")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestFrontEndsAgree reads the same structs through go/packages and
// through reflection: the two descriptions must be identical.
func TestFrontEndsAgree(t *testing.T) {
	t.Parallel()
	fromPkg := loadFixtures(t)
	fromReflect, err := models.FromValues(fixtures.All...)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(fromPkg, fromReflect); d != "" {
		t.Errorf("go/packages and reflection disagree (-packages +reflection):\n%s", d)
	}
	if len(fromPkg.Tables) != len(fixtures.All) {
		t.Errorf("go/packages found %d models, want %d (embedded and retort:ignore structs left out)", len(fromPkg.Tables), len(fixtures.All))
	}
}

// TestIntermediateGolden pins the whole description of the fixtures.
func TestIntermediateGolden(t *testing.T) {
	t.Parallel()
	b, err := json.MarshalIndent(loadFixtures(t), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "fixtures.json", string(b)+"\n")
}

// TestDDLGolden pins the DDL rendered for each dialect.
func TestDDLGolden(t *testing.T) {
	t.Parallel()
	s := loadFixtures(t)
	for _, name := range testdb.Dialects {
		t.Run(name, func(t *testing.T) {
			d, err := dialects.ByName(name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.SQL(d)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "ddl_"+name+".sql", got)
		})
	}
}

// TestDDLLoads applies the rendered DDL to a real database of each
// dialect and checks what the inspector reads back.
func TestDDLLoads(t *testing.T) {
	t.Parallel()
	s := loadFixtures(t)
	for _, name := range testdb.Dialects {
		t.Run(name, func(t *testing.T) {
			db := testdb.New(t, name)
			d, err := dialects.ByName(name)
			if err != nil {
				t.Fatal(err)
			}
			files, err := s.Files(d, "fixtures")
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			conn, err := db.DB.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if err := source.Apply(ctx, conn, d, files); err != nil {
				t.Fatal(err)
			}
			got, err := d.Inspect(ctx, conn, dialect.InspectOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, tb := range got.Tables {
				names = append(names, tb.Name)
			}
			want := []string{"boxes", "categories", "companies", "items", "labels", "pets", "stores", "users"}
			if d := cmp.Diff(want, names); d != "" {
				t.Fatalf("tables (-want +got):\n%s", d)
			}
			items := table(got, "items")
			for col, nullable := range map[string]bool{"name": false, "descr": true, "memo": true, "data": true, "seen": false, "expires": true, "updated_at": false, "code": false} {
				c := column(t, items, col)
				if c.Nullable != nullable {
					t.Errorf("items.%s nullable = %v, want %v", col, c.Nullable, nullable)
				}
			}
			for _, col := range []string{"secret", "ignored", "store", "internal"} {
				for _, c := range items.Columns {
					if c.Name == col {
						t.Errorf("items has column %s, which should be skipped", col)
					}
				}
			}
			if len(items.ForeignKeys) != 1 || items.ForeignKeys[0].RefTable != "stores" || items.ForeignKeys[0].OnDelete != "CASCADE" {
				t.Errorf("items foreign keys = %+v, want one to stores ON DELETE CASCADE", items.ForeignKeys)
			}
			users := table(got, "users")
			for col, nullable := range map[string]bool{"id": false, "created_at": true, "deleted_at": true, "name": false, "age": true, "nickname": true, "profile_bio": true} {
				c := column(t, users, col)
				if c.Nullable != nullable {
					t.Errorf("users.%s nullable = %v, want %v", col, c.Nullable, nullable)
				}
			}
			var fks []string
			for _, tb := range []string{"users", "pets"} {
				for _, fk := range table(got, tb).ForeignKeys {
					fks = append(fks, tb+"("+strings.Join(fk.Columns, ",")+")->"+fk.RefTable+"("+strings.Join(fk.RefColumns, ",")+")")
				}
			}
			if d := cmp.Diff([]string{"users(company_id)->companies(id)", "pets(owner_id)->users(id)"}, fks); d != "" {
				t.Errorf("GORM relationship foreign keys (-want +got):\n%s", d)
			}
			pets := table(got, "pets")
			if pets.PrimaryKey == nil || strings.Join(pets.PrimaryKey.Columns, ",") != "owner_id,name" {
				t.Errorf("pets primary key = %+v, want (owner_id, name)", pets.PrimaryKey)
			}
		})
	}
}

func table(s *schema.Schema, name string) *schema.Table {
	for _, t := range s.Tables {
		if t.Name == name {
			return t
		}
	}
	return &schema.Table{Name: name}
}

func column(t *testing.T, tb *schema.Table, name string) *schema.Column {
	t.Helper()
	for _, c := range tb.Columns {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("table %s has no column %s", tb.Name, name)
	return nil
}

// TestConventions checks the rules of docs/models.md on the fixtures.
func TestConventions(t *testing.T) {
	t.Parallel()
	s := loadFixtures(t)
	items := s.Table("items")
	if items == nil {
		t.Fatal("no table items")
	}
	check := func(what string, got, want any) {
		t.Helper()
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", what, d)
		}
	}
	col := func(tb *models.Table, name string) *models.Column {
		t.Helper()
		c := tb.Column(name)
		if c == nil {
			t.Fatalf("table %s has no column %s", tb.Name, name)
		}
		return c
	}
	check("items primary key", items.PrimaryKey, []string{"id"})
	check("items.id autoincrement", col(items, "id").AutoIncrement, false)
	check("stores.id autoincrement", col(s.Table("stores"), "id").AutoIncrement, true)
	check("items.name size", col(items, "name").Size, 80)
	check("items.price type", col(items, "price").SQLType, "numeric(10,2)")
	check("items.count type", col(items, "count").Type, models.Uint16)
	check("items.token type", col(items, "token").Type, models.UUID)
	check("items.data type", col(items, "data").Type, models.JSON)
	check("items.blob type", col(items, "blob").Type, models.Bytes)
	check("items.seen type", col(items, "seen").Type, models.Time)
	check("items.memo type", col(items, "memo").Type, models.String)
	check("items.stock default", *col(items, "stock").Default, "0")
	check("items.code default", *col(items, "code").Default, "'abc'")
	check("items.small notnull", col(items, "small").NotNull, true)
	check("items.descr notnull", col(items, "descr").NotNull, false)
	check("items.data notnull (null tag)", col(items, "data").NotNull, false)
	check("items checks", items.Checks, []*models.Check{{Name: "items_price_check", Expr: "price >= 0"}})
	check("items indexes", items.Indexes, []*models.Index{
		{Name: "items_name_idx", Columns: []string{"name"}},
		{Name: "items_store_flag", Columns: []string{"store_id", "flag"}},
		{Name: "items_token_idx", Unique: true, Columns: []string{"token"}},
	})
	check("stores uniques", s.Table("stores").Uniques, []*models.Unique{{Name: "stores_name_key", Columns: []string{"name"}}})
	check("labels (TableName)", s.Table("labels").Struct, "Tag")
	check("boxes", s.Table("boxes").Struct, "Box")
	check("categories", s.Table("categories").Struct, "Category")

	users := s.Table("users")
	check("users columns", names(users), []string{"id", "created_at", "updated_at", "deleted_at", "name", "email", "age", "role", "level", "balance", "nickname", "company_id", "profile_bio"})
	check("users.id (gorm.Model)", *col(users, "id"), models.Column{Name: "id", Field: "Model.ID", Type: models.Uint64, NotNull: true, AutoIncrement: true})
	check("users.name", *col(users, "name"), models.Column{Name: "name", Field: "Name", Type: models.String, Size: 100, NotNull: true})
	check("users.balance (precision, scale)", *col(users, "balance"), models.Column{Name: "balance", Field: "Balance", SQLType: "numeric(12,2)", NotNull: true, Default: ptr("0")})
	check("items.sku_code (column:)", *col(items, "sku_code"), models.Column{Name: "sku_code", Field: "Sku", Type: models.String, Size: 20, NotNull: true})
	check("items foreign keys", items.ForeignKeys, []*models.ForeignKey{{Name: "items_store_id_fkey", Columns: []string{"store_id"}, RefTable: "stores", RefColumns: []string{"id"}, OnDelete: "CASCADE", OnUpdate: "RESTRICT"}})
	check("users.role default quoted", *col(users, "role").Default, "'member'")
	check("users.age", col(users, "age").NotNull, false)
	check("users indexes", users.Indexes, []*models.Index{
		{Name: "idx_role_age", Columns: []string{"role", "level"}},
		{Name: "idx_users_deleted_at", Columns: []string{"deleted_at"}},
		{Name: "idx_users_name", Unique: true, Columns: []string{"name"}},
	})
	check("users uniques", users.Uniques, []*models.Unique{{Name: "uni_users_email", Columns: []string{"email"}}})
	check("users checks", users.Checks, []*models.Check{{Name: "chk_users_age", Expr: "age >= 0"}})
	check("users foreign keys", users.ForeignKeys, []*models.ForeignKey{{Name: "fk_users_company", Columns: []string{"company_id"}, RefTable: "companies", RefColumns: []string{"id"}, OnDelete: "SET NULL"}})
	pets := s.Table("pets")
	check("pets foreign keys", pets.ForeignKeys, []*models.ForeignKey{{Name: "fk_users_pets", Columns: []string{"owner_id"}, RefTable: "users", RefColumns: []string{"id"}}})
	check("pets checks", pets.Checks, []*models.Check{{Name: "kind_ok", Expr: "kind <> ''"}})
	check("pets.owner_id autoincrement", col(pets, "owner_id").AutoIncrement, false)
	companies := s.Table("companies")
	check("companies (untagged, GORM conventions)", *col(companies, "name"), models.Column{Name: "name", Field: "Name", Type: models.String})
	check("companies.id", *col(companies, "id"), models.Column{Name: "id", Field: "ID", Type: models.Int64, NotNull: true, AutoIncrement: true})
}

func ptr(s string) *string { return &s }

func names(t *models.Table) []string {
	var out []string
	for _, c := range t.Columns {
		out = append(out, c.Name)
	}
	return out
}

// Models in this file test errors and naming through reflection.
type (
	Person struct {
		ID       int64 `retort:"pk"`
		Tags     []string
		internal int
	}
	Weird struct {
		ID int64 `retort:"pk,bogus"`
	}
	BadFK struct {
		StoreID int64 `retort:"fk:stores"`
	}
	Orphan struct {
		ID      int64 `retort:"pk"`
		OwnerID int64
		Owner   Person `gorm:"foreignKey:OwnerID"`
	}
	TagsOK struct {
		ID   int64    `retort:"pk"`
		Tags []string `retort:"type:text"`
	}
	Twice struct {
		A int `db:"x"`
		B int `db:"x"`
	}
	Many struct {
		ID    int64
		Roles []Person `gorm:"many2many:many_roles"`
	}
	LongName struct {
		ThisIsAVeryLongFieldNameThatGoesOnAndOnAndOnUntilItIsTooLongForPostgres int64 `retort:"pk"`
	}
	HTTPServerConfig struct {
		ID int64 `retort:"pk"`
	}
	Address struct{ ID int64 }
	Wish    struct{ ID int64 }
	Day     struct{ ID int64 }
)

func TestErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    any
		want []string
	}{
		{&Person{}, []string{"field Person.Tags", "cannot map Go type []string", `retort:"type:...`, `retort:"-"`}},
		{&Weird{}, []string{"field Weird.ID", `unknown retort tag option "bogus"`}},
		{&BadFK{}, []string{"field BadFK.StoreID", "fk:stores must name table.column"}},
		{&Orphan{}, []string{"field Orphan.Owner", "Person, which is not among the models"}},
		{&Twice{}, []string{"field Twice.B", `column "x" is also the column of field A`}},
		{&Many{}, []string{"field Many.Roles", "many2many"}},
		{42, []string{"argument 1 is int"}},
	} {
		_, err := models.FromValues(tc.v)
		if err == nil {
			t.Errorf("%T: no error", tc.v)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%T: error %q does not contain %q", tc.v, err, w)
			}
		}
	}
	var fe *models.FieldError
	_, err := models.FromValues(&Person{})
	if !errors.As(err, &fe) || fe.Struct != "Person" || fe.Field != "Tags" {
		t.Errorf("error %v is not a *FieldError for Person.Tags", err)
	}
	if _, err := models.FromValues(&TagsOK{}); err != nil {
		t.Errorf("a type tag makes any field a column: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := models.Load(ctx, "testdata/badtable", ".")
	if err == nil || !strings.Contains(err.Error(), "type Order: TableName") || !strings.Contains(err.Error(), "single `return \"name\"`") {
		t.Errorf("non-constant TableName: got %v", err)
	}
	_, err = models.Load(ctx, "testdata/badtype", ".")
	if err == nil || !strings.Contains(err.Error(), "field Post.Attrs") || !strings.Contains(err.Error(), "map[string]string") {
		t.Errorf("unmappable type: got %v", err)
	}
	_, err = models.Load(ctx, "testdata/nonexistent", ".")
	if err == nil {
		t.Error("a missing package: no error")
	}
}

func TestNameTooLong(t *testing.T) {
	t.Parallel()
	s, err := models.FromValues(&LongName{})
	if err != nil {
		t.Fatal(err)
	}
	for name, fails := range map[string]bool{"postgres": true, "mysql": true, "sqlite": false} {
		d, err := dialects.ByName(name)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.SQL(d)
		var ne *models.NameError
		if fails != errors.As(err, &ne) {
			t.Errorf("%s: error %v, want a NameError: %v", name, err, fails)
		}
	}
}

func TestTableNames(t *testing.T) {
	t.Parallel()
	s, err := models.FromValues(&HTTPServerConfig{}, &Address{}, &Wish{}, &Day{}, &fixtures.Box{}, &fixtures.Category{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tb := range s.Tables {
		got = append(got, tb.Struct+"="+tb.Name)
	}
	want := []string{"Address=addresses", "Box=boxes", "Category=categories", "Day=days", "HTTPServerConfig=http_server_configs", "Wish=wishes"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("table names (-want +got):\n%s", d)
	}
}
