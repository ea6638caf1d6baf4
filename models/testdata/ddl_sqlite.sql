CREATE TABLE "boxes" (
    "id" INTEGER NOT NULL,
    PRIMARY KEY ("id")
);
CREATE TABLE "categories" (
    "id" INTEGER NOT NULL,
    PRIMARY KEY ("id")
);
CREATE TABLE "companies" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "name" TEXT
);
CREATE TABLE "items" (
    "id" INTEGER NOT NULL,
    "name" VARCHAR(80) NOT NULL,
    "price" numeric(10,2) NOT NULL,
    "store_id" INTEGER NOT NULL,
    "sku_code" VARCHAR(20) NOT NULL,
    "flag" BOOLEAN NOT NULL DEFAULT false,
    "descr" TEXT,
    "stock" INTEGER NOT NULL DEFAULT 0,
    "memo" TEXT,
    "data" TEXT,
    "token" TEXT NOT NULL,
    "blob" BLOB NOT NULL,
    "small" INTEGER NOT NULL,
    "ratio" REAL NOT NULL,
    "count" INTEGER NOT NULL,
    "big" INTEGER NOT NULL,
    "seen" DATETIME NOT NULL,
    "expires" DATETIME,
    "code" char(3) NOT NULL DEFAULT 'abc',
    "updated_at" DATETIME NOT NULL,
    PRIMARY KEY ("id"),
    CONSTRAINT "items_price_check" CHECK (price >= 0),
    CONSTRAINT "items_store_id_fkey" FOREIGN KEY ("store_id") REFERENCES "stores" ("id") ON DELETE CASCADE ON UPDATE RESTRICT
);
CREATE INDEX "items_name_idx" ON "items" ("name");
CREATE INDEX "items_store_flag" ON "items" ("store_id", "flag");
CREATE UNIQUE INDEX "items_token_idx" ON "items" ("token");
CREATE TABLE "labels" (
    "id" INTEGER NOT NULL,
    "label" TEXT NOT NULL,
    PRIMARY KEY ("id")
);
CREATE TABLE "pets" (
    "owner_id" INTEGER NOT NULL,
    "name" VARCHAR(50) NOT NULL,
    "kind" TEXT,
    PRIMARY KEY ("owner_id", "name"),
    CONSTRAINT "kind_ok" CHECK (kind <> ''),
    CONSTRAINT "fk_users_pets" FOREIGN KEY ("owner_id") REFERENCES "users" ("id")
);
CREATE TABLE "stores" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "name" varchar(80) NOT NULL,
    CONSTRAINT "stores_name_key" UNIQUE ("name")
);
CREATE TABLE "users" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "created_at" DATETIME,
    "updated_at" DATETIME,
    "deleted_at" DATETIME,
    "name" VARCHAR(100) NOT NULL,
    "email" TEXT,
    "age" INTEGER DEFAULT 18,
    "role" TEXT DEFAULT 'member',
    "level" INTEGER,
    "balance" numeric(12,2) NOT NULL DEFAULT 0,
    "nickname" varchar(30),
    "company_id" INTEGER,
    "profile_bio" TEXT,
    CONSTRAINT "uni_users_email" UNIQUE ("email"),
    CONSTRAINT "chk_users_age" CHECK (age >= 0),
    CONSTRAINT "fk_users_company" FOREIGN KEY ("company_id") REFERENCES "companies" ("id") ON DELETE SET NULL
);
CREATE INDEX "idx_role_age" ON "users" ("role", "level");
CREATE INDEX "idx_users_deleted_at" ON "users" ("deleted_at");
CREATE UNIQUE INDEX "idx_users_name" ON "users" ("name");
