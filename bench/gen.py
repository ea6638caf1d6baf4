#!/usr/bin/env python3
"""Workload generator for bench/run.

Writes, for one workload, the same SQL in the layout each tool expects:

  gen.py chain N OUT     a chain of N revisions, each CREATE TABLE + CREATE
                         INDEX + one INSERT (downgrade: DROP TABLE), for
                         retort, Alembic (op.execute), Flask-Migrate (shares
                         Alembic's revisions), goose, golang-migrate, and the
                         database clients (one transaction per revision).
  gen.py autogen N OUT   one revision creating N tables (retort, Alembic),
                         plus the desired schema with one column added:
                         schema.sql for retort, SQLAlchemy models for Alembic.
  gen.py check TOOL DIR  exit 0 when the single revision autogenerate wrote in
                         DIR holds exactly one change, the added column;
                         prints what it found.

Only the standard library; the SQL is the same on SQLite, PostgreSQL and
MariaDB, so one tree serves all three.
"""

import os
import re
import sys

ALEMBIC_INI = """[alembic]
script_location = %(here)s

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARN
handlers = console
qualname =

[logger_sqlalchemy]
level = WARN
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
"""

# The online half of Alembic's generic env.py, with the URL taken from
# `-x url=...` and the models (when the workload has any) as target_metadata.
# Every context.configure option is left at its default (one transaction for
# the whole run where the dialect has transactional DDL).
ALEMBIC_ENV = """import os
import sys
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
fileConfig(config.config_file_name)

target_metadata = None
here = os.path.dirname(os.path.abspath(__file__))
if os.path.exists(os.path.join(here, "models.py")):
    sys.path.insert(0, here)
    import models

    target_metadata = models.metadata

url = context.get_x_argument(as_dictionary=True)["url"]
config.set_main_option("sqlalchemy.url", url)

connectable = engine_from_config(
    config.get_section(config.config_ini_section),
    prefix="sqlalchemy.",
    poolclass=pool.NullPool,
)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
"""

ALEMBIC_MAKO = '''"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
"""
from alembic import op
import sqlalchemy as sa
${imports if imports else ""}
revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}


def upgrade():
    ${upgrades if upgrades else "pass"}


def downgrade():
    ${downgrades if downgrades else "pass"}
'''

FLASK_APP = """import os

from flask import Flask
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["BENCH_DB_URL"]
db = SQLAlchemy(app)
migrate = Migrate(app, db)
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def rev_id(i):
    return "c%011d" % i


def table_sql(i, extra=False):
    cols = "id INTEGER PRIMARY KEY, name VARCHAR(80) NOT NULL, n INTEGER"
    if extra:
        cols += ", extra INTEGER"
    return [
        "CREATE TABLE t%d (%s)" % (i, cols),
        "CREATE INDEX t%d_name ON t%d (name)" % (i, i),
    ]


def chain_up(i):
    return table_sql(i) + ["INSERT INTO t%d (id, name, n) VALUES (1, 'row %d', %d)" % (i, i, i)]


def chain_down(i):
    return ["DROP TABLE t%d" % i]


def retort_file(rid, prev, msg, up, down):
    return "-- %s\n--\n-- Revision: %s\n-- Revises:%s\n\n-- +upgrade\n%s\n\n-- +downgrade\n%s\n" % (
        msg,
        rid,
        " " + prev if prev else "",
        "\n".join(s + ";" for s in up),
        "\n".join(s + ";" for s in down),
    )


def alembic_file(rid, prev, msg, up, down):
    def body(stmts):
        return "\n".join("    op.execute(%r)" % s for s in stmts)

    return (
        '"""%s\n\nRevision ID: %s\nRevises: %s\n"""\nfrom alembic import op\n\n'
        "revision = %r\ndown_revision = %r\nbranch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade():\n%s\n\n\ndef downgrade():\n%s\n"
    ) % (msg, rid, prev or "", rid, prev, body(up), body(down))


def alembic_project(out):
    write(os.path.join(out, "alembic.ini"), ALEMBIC_INI)
    write(os.path.join(out, "env.py"), ALEMBIC_ENV)
    write(os.path.join(out, "script.py.mako"), ALEMBIC_MAKO)
    os.makedirs(os.path.join(out, "versions"), exist_ok=True)


def gen_chain(n, out):
    alembic_project(os.path.join(out, "alembic"))
    write(os.path.join(out, "flask", "app.py"), FLASK_APP)
    client_up = {d: [] for d in ("sqlite", "postgres", "mysql")}
    client_down = {d: [] for d in ("sqlite", "postgres", "mysql")}
    prev = None
    for i in range(1, n + 1):
        rid, up, down, msg = rev_id(i), chain_up(i), chain_down(i), "chain %d" % i
        write(
            os.path.join(out, "retort", "migrations", "versions", "%s_chain_%d.sql" % (rid, i)),
            retort_file(rid, prev, msg, up, down),
        )
        write(os.path.join(out, "alembic", "versions", "%s_chain_%d.py" % (rid, i)), alembic_file(rid, prev, msg, up, down))
        write(
            os.path.join(out, "goose", "%05d_chain_%d.sql" % (i, i)),
            "-- +goose Up\n%s\n\n-- +goose Down\n%s\n" % ("\n".join(s + ";" for s in up), "\n".join(s + ";" for s in down)),
        )
        write(os.path.join(out, "migrate", "%05d_chain_%d.up.sql" % (i, i)), "\n".join(s + ";" for s in up) + "\n")
        write(os.path.join(out, "migrate", "%05d_chain_%d.down.sql" % (i, i)), "\n".join(s + ";" for s in down) + "\n")
        for d in client_up:
            client_up[d].append("BEGIN;\n%s\nCOMMIT;\n" % "\n".join(s + ";" for s in up))
            client_down[d].insert(0, "BEGIN;\n%s\nCOMMIT;\n" % "\n".join(s + ";" for s in down))
        prev = rid
    for d in client_up:
        write(os.path.join(out, "client", "up.%s.sql" % d), "".join(client_up[d]))
        write(os.path.join(out, "client", "down.%s.sql" % d), "".join(client_down[d]))


def gen_autogen(n, out):
    up, down = [], []
    for i in range(1, n + 1):
        up += table_sql(i)
        down.insert(0, "DROP TABLE t%d" % i)
    msg = "create %d tables" % n
    write(
        os.path.join(out, "retort", "migrations", "versions", "base00000000_create_tables.sql"),
        retort_file("base00000000", None, msg, up, down),
    )
    desired = []
    for i in range(1, n + 1):
        desired += table_sql(i, extra=(i == 1))
    write(os.path.join(out, "retort", "schema.sql"), "".join(s + ";\n" for s in desired))

    a = os.path.join(out, "alembic")
    alembic_project(a)
    write(os.path.join(a, "versions", "base_create_tables.py"), alembic_file("base00000000", None, msg, up, down))
    models = ["from sqlalchemy import Column, Index, Integer, MetaData, String, Table\n\nmetadata = MetaData()\n"]
    for i in range(1, n + 1):
        extra = '\n    Column("extra", Integer),' if i == 1 else ""
        models.append(
            'Table(\n    "t%d",\n    metadata,\n    Column("id", Integer, primary_key=True),\n'
            '    Column("name", String(80), nullable=False),\n    Column("n", Integer),%s\n'
            '    Index("t%d_name", "name"),\n)\n' % (i, extra, i)
        )
    write(os.path.join(a, "models.py"), "\n".join(models))


def new_files(d, skip):
    return sorted(f for f in os.listdir(d) if not f.startswith(skip) and os.path.isfile(os.path.join(d, f)))


def check(tool, d):
    """Report whether autogenerate found exactly the added column."""
    if tool == "retort":
        files = new_files(d, "base")
        if len(files) != 1:
            return False, "%d new revision files" % len(files)
        text = open(os.path.join(d, files[0])).read()
        up = text.split("-- +upgrade", 1)[1].split("-- +downgrade", 1)[0]
        body = "\n".join(l for l in up.splitlines() if l.strip() and not l.strip().startswith("--"))
        stmts = [s.strip() for s in body.split(";") if s.strip()]
    else:
        files = [f for f in new_files(d, "base_") if f.endswith(".py")]
        if len(files) != 1:
            return False, "%d new revision files" % len(files)
        text = open(os.path.join(d, files[0])).read()
        up = text.split("def upgrade():", 1)[1].split("def downgrade():", 1)[0]
        stmts = [l.strip() for l in up.splitlines() if l.strip().startswith("op.")]
    stmts = [re.sub(r"\s+", " ", s) for s in stmts]
    ok = len(stmts) == 1 and re.search(r"add.?column", stmts[0], re.I) and "extra" in stmts[0] and "t1" in stmts[0]
    if ok or len(stmts) <= 2:
        return bool(ok), "; ".join(stmts)[:160] or "no change found"
    kinds = {}
    for s in stmts:
        m = re.match(r"op\.(\w+)|(\w+ \w+)", s)
        k = (m.group(1) or m.group(2)) if m else s[:20]
        kinds[k] = kinds.get(k, 0) + 1
    extra = [s for s in stmts if not re.search(r"add.?column", s, re.I)]
    return False, "%d changes (%s), e.g. %s" % (
        len(stmts), ", ".join("%s x%d" % kv for kv in sorted(kinds.items())), extra[0][:80])


def main(argv):
    if len(argv) == 4 and argv[1] == "chain":
        gen_chain(int(argv[2]), argv[3])
    elif len(argv) == 4 and argv[1] == "autogen":
        gen_autogen(int(argv[2]), argv[3])
    elif len(argv) == 4 and argv[1] == "check":
        ok, found = check(argv[2], argv[3])
        print(("exact" if ok else "WRONG") + ": " + found)
        return 0 if ok else 1
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
