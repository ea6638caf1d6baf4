#!/usr/bin/env python3
"""Report for bench/run.

  report.py WORKDIR                  print the Markdown report of a run
  report.py --splice FILE REPORT     replace the part of FILE between
                                     <!-- peers:begin --> and <!-- peers:end -->
                                     with REPORT (FILE is created, with the
                                     markers, when missing)

WORKDIR holds meta (key=value lines), res/CASE.DIALECT.json (hyperfine
exports), mem/CASE.DIALECT.TOOL (GNU time -v output, one block per run) and
check/CASE.DIALECT.TOOL (gen.py check output).
"""

import glob
import json
import os
import re
import statistics
import sys

BEGIN, END = "<!-- peers:begin -->", "<!-- peers:end -->"

TOOLS = [
    ("retort", "retort"),
    ("keep", "retort, kept dev_database"),
    ("alembic", "Alembic"),
    ("flask", "Flask-Migrate"),
    ("goose", "goose"),
    ("migrate", "golang-migrate"),
    ("client", "client (floor)"),
]
DIALECTS = [("sqlite", "SQLite"), ("postgres", "PostgreSQL"), ("mysql", "MariaDB")]


def case_order(case):
    kinds = ["current", "up", "down", "autogen"]
    m = re.match(r"([a-z]+)(\d*)$", case)
    return (kinds.index(m.group(1)), int(m.group(2) or 0))


def case_label(case):
    m = re.match(r"([a-z]+)(\d*)$", case)
    kind, n = m.group(1), m.group(2)
    return {
        "current": "`current` at head (200 revisions)",
        "up": "upgrade %s revisions from empty" % n,
        "down": "downgrade %s revisions to base" % n,
        "autogen": "autogenerate: %s tables, 1 column added" % n,
    }[kind]


def fmt_time(s):
    if s < 1:
        return "%.0f ms" % (s * 1000) if s >= 0.1 else "%.1f ms" % (s * 1000)
    return "%.2f s" % s


def fmt_ratio(r):
    return "%.1f" % r if r < 100 else "%.0f" % r


def load(work):
    meta = {}
    for line in open(os.path.join(work, "meta")):
        k, _, v = line.rstrip("\n").partition("=")
        meta[k] = v
    runs = {}  # (case, dialect) -> {tool: [seconds, ...]}, over the rounds
    for path in glob.glob(os.path.join(work, "res", "*.json")):
        case, dialect = os.path.basename(path).split(".")[:2]
        row = runs.setdefault((case, dialect), {})
        for r in json.load(open(path))["results"]:
            row.setdefault(r["command"], []).extend(r["times"])
    times = {}  # (case, dialect) -> {tool: (median, runs)}
    for k, row in runs.items():
        times[k] = {t: (statistics.median(v), len(v)) for t, v in row.items()}
    mem = {}  # (case, dialect, tool) -> median max RSS in KiB
    for path in glob.glob(os.path.join(work, "mem", "*")):
        case, dialect, tool = os.path.basename(path).split(".")
        kb = [int(x) for x in re.findall(r"Maximum resident set size \(kbytes\): (\d+)", open(path).read())]
        if kb:
            mem[(case, dialect, tool)] = statistics.median(kb)
    skipped = []
    p = os.path.join(work, "skipped")
    if os.path.exists(p):
        skipped = [tuple(l.split()) for l in open(p) if l.strip()]
    checks = {}
    for path in glob.glob(os.path.join(work, "check", "*")):
        case, dialect, tool = os.path.basename(path).split(".")
        checks[(case, dialect, tool)] = open(path).read().strip() or "no output"
    return meta, times, mem, checks, skipped


def report(work):
    meta, times, mem, checks, skipped = load(work)
    keys = sorted(times, key=lambda k: (case_order(k[0]), [d for d, _ in DIALECTS].index(k[1])))
    dname = dict(DIALECTS)
    present = [t for t in TOOLS if any(t[0] in times[k] for k in keys)]
    out = []
    w = out.append
    w("## Side by side with Alembic, goose and golang-migrate (issue 6)")
    w("")
    w("Measured by `bench/run` on %s. Machine: %s; load average %s." % (meta["date"], meta["machine"], meta["load"]))
    w("The machine was shared with other work while this ran (2 busy cores), so")
    w("absolute numbers are noisy, most of all the fsync-bound ones. The tools ran")
    w("in rounds (one run of each tool per round), so a change of load falls on")
    w("all of them alike: the ratios are the fairer reading.")
    w("The whole run took %s (`bench/run`%s)." % (meta["elapsed"], {"full": " --full", "quick": " --quick"}.get(meta["mode"], "")))
    if skipped:
        w("Left out of this run to keep it under 15 minutes (`bench/run --full` runs")
        w("them): %s." % "; ".join("%s on %s" % (case_label(c), dict(DIALECTS)[d]) for c, d in skipped))
    w("")
    w("Versions: %s; %s; %s; %s; %s; drivers %s; %s, PostgreSQL %s, MariaDB %s; %s." % (
        meta["retort"], meta["alembic"], meta["flask"], meta["goose"], meta["migrate"],
        meta["drivers"], meta["sqlite"], meta["postgres"], meta["mysql"], meta["hyperfine"]))
    w("")
    w("### Wall time")
    w("")
    w("Median of the runs (whole process, fresh database per run through")
    w("hyperfine `--prepare`); in parentheses the ratio to retort (retort = 1.0;")
    w("above 1 means slower than retort).")
    w("")
    w("| workload | database | runs | " + " | ".join(n for _, n in present) + " |")
    w("|---|---|---:|" + "---:|" * len(present))
    for k in keys:
        row = times[k]
        base = row.get("retort", (None,))[0]
        runs = max(r[1] for r in row.values())
        cells = []
        for t, _ in present:
            if t not in row:
                cells.append("—")
                continue
            med = row[t][0]
            cells.append("%s (%s)" % (fmt_time(med), fmt_ratio(med / base)) if base else fmt_time(med))
        w("| %s | %s | %d | %s |" % (case_label(k[0]), dname[k[1]], runs, " | ".join(cells)))
    w("")
    w("### Peak memory")
    w("")
    w("Maximum resident set size (GNU `time -v`), MiB, median over the timed runs")
    w("(one separate run for `current`, so its timing carries no `time` wrapper).")
    w("For the client the figure is the client process itself.")
    w("")
    w("| workload | database | " + " | ".join(n for _, n in present) + " |")
    w("|---|---|" + "---:|" * len(present))
    for k in keys:
        cells = []
        for t, _ in present:
            v = mem.get((k[0], k[1], t))
            cells.append("%.0f" % (v / 1024) if v is not None and t in times[k] else "—")
        w("| %s | %s | %s |" % (case_label(k[0]), dname[k[1]], " | ".join(cells)))
    auto = [k for k in keys if k[0].startswith("autogen")]
    if auto:
        w("")
        w("### Autogenerate: exactly the one change?")
        w("")
        w("The desired schema adds `extra INTEGER` to `t1`; a correct result is one")
        w("add-column operation and nothing else (read from the generated file's")
        w("upgrade section after the last timed run).")
        w("")
        w("| workload | database | retort | retort, kept dev_database | Alembic |")
        w("|---|---|---|---|---|")
        for k in auto:
            cells = [checks.get((k[0], k[1], t), "—").replace("|", "\\|") for t in ("retort", "keep", "alembic")]
            w("| %s | %s | %s |" % (case_label(k[0]), dname[k[1]], " | ".join(code(c) if c != "—" else c for c in cells)))
        w("")
        w("Both sides start from the same SQL (`id INTEGER PRIMARY KEY` in the")
        w("revision) and the same model (`Column(\"id\", Integer, primary_key=True)`).")
        w("On SQLite, `PRAGMA table_info` reports such an `id` as nullable, so Alembic")
        w("proposes `alter_column(..., nullable=False)` for every table besides the")
        w("real change: that is what a user of these defaults gets.")
    w("")
    w("### Goals")
    w("")
    for line in goals(keys, times):
        w("- " + line)
    w("")
    w("Where a goal is missed, [bench/README.md](bench/README.md) has the profile")
    w("of where retort's time goes.")
    w("")
    w("### Each tool with its documented defaults")
    w("")
    w("- **retort**: one transaction per revision with its version rows on")
    w("  SQLite and PostgreSQL (`BEGIN IMMEDIATE` on SQLite); on MariaDB, where")
    w("  DDL commits by itself, the version row is written after every statement")
    w("  (`statements_done`); an audit row per revision in `retort_log`; an")
    w("  advisory lock (`pg_advisory_lock`, `GET_LOCK`). `migrate` loads the")
    w("  desired schema on a scratch database (in-memory SQLite; a temporary")
    w("  database on the same server, loaded on several connections), takes the")
    w("  head's schema from its cache (warm in these rows; a miss replays the")
    w("  revisions) and applies the new revision down and up there before")
    w("  writing it.")
    w("- **retort, kept dev_database**: the same `migrate` with `dev_database`")
    w("  and `keep_dev_database = true`: the desired schema stays loaded in the")
    w("  dev database between runs; a run checks that the database still holds")
    w("  what its record says (one inspection) and reloads only the tables whose")
    w("  statements changed (none in these rows: each run starts from the same")
    w("  files), then verifies the revision there as above.")
    w("- **Alembic** (`alembic` CLI, generic `env.py`, revisions through")
    w("  `op.execute`): `transaction_per_migration=False`, so on PostgreSQL the")
    w("  whole upgrade is one transaction; on SQLite and MariaDB Alembic assumes")
    w("  non-transactional DDL and begins one transaction per migration. Autogenerate")
    w("  reflects the live database at head and compares it with the SQLAlchemy")
    w("  models (`compare_type` left at its default).")
    w("- **Flask-Migrate**: `flask db current` with the `env.py` its `db init`")
    w("  writes, on the Alembic revisions (start-up only).")
    w("- **goose**: one transaction per migration, version row inside it; statements")
    w("  split by goose and run one by one.")
    w("- **golang-migrate**: each file is one multi-statement `Exec`, with the")
    w("  version row set dirty before and clean after it. No transaction of its own")
    w("  on PostgreSQL (the simple query protocol runs the file as one implicit")
    w("  transaction) and MariaDB (`multiStatements=true` in the DSN, as its docs")
    w("  say); its SQLite driver wraps each file in a transaction by default.")
    w("- **client (floor)**: `sqlite3`, `psql`, `mariadb` fed the same SQL with")
    w("  `BEGIN`/`COMMIT` around each revision and no version bookkeeping at all.")
    w("  For autogenerate, one load of the desired schema into an empty database.")
    w("")
    return "\n".join(out) + "\n"


def code(text):
    """Markdown code span for text, which may itself hold backticks."""
    if "`" in text:
        return "`` %s ``" % text
    return "`%s`" % text


def goals(keys, times):
    lines = []

    def ratio(k, a, b):
        row = times.get(k, {})
        if a in row and b in row:
            return row[a][0] / row[b][0]
        return None

    cur = [(d, ratio(("current", d), "alembic", "retort")) for d, _ in DIALECTS if ("current", d) in times]
    cur = [(d, r) for d, r in cur if r is not None]
    if cur:
        ok = all(r >= 20 for _, r in cur)
        lines.append("%s retort at least 20x faster than Alembic at `current`: %s." % (
            "**met**" if ok else "**missed**", ", ".join("%s %.1fx" % (dict(DIALECTS)[d], r) for d, r in cur)))
    r = ratio(("up200", "sqlite"), "alembic", "retort")
    if r is not None:
        lines.append("%s retort at least 3x faster than Alembic applying 200 revisions on SQLite: %.1fx." % (
            "**met**" if r >= 3 else "**missed**", r))
    behind = []
    rows = 0
    for k in keys:
        for peer in ("goose", "migrate"):
            r = ratio(k, peer, "retort")
            if r is None:
                continue
            rows += 1
            if r <= 1:
                behind.append("%s on %s: %s %.2fx retort's time" % (case_label(k[0]), dict(DIALECTS)[k[1]], peer, r))
    if rows:
        lines.append("%s retort ahead of goose and golang-migrate on every row where they take part%s" % (
            "**met**" if not behind else "**missed**", "." if not behind else "; behind on: " + "; ".join(behind) + "."))
    floor = []
    worst = []
    for k in keys:
        r = ratio(k, "retort", "client")
        if r is None or k[0].startswith("autogen"):
            continue
        worst.append("%s on %s %.2fx" % (case_label(k[0]), dict(DIALECTS)[k[1]], r))
        if r > 1.3:
            floor.append(worst[-1])
    if worst:
        lines.append("%s retort within 1.3x of the database's own client: %s." % (
            "**met**" if not floor else "**missed**", "; ".join(worst)))
    r = ratio(("autogen200", "mysql"), "alembic", "retort")
    if r is not None:
        lines.append("%s `migrate` on MariaDB with 200 tables faster than Alembic: Alembic takes %.2fx retort's time." % (
            "**met**" if r > 1 else "**missed**", r))
    r = ratio(("autogen200", "mysql"), "alembic", "keep")
    if r is not None:
        lines.append("%s the same with a kept `dev_database` (`keep_dev_database = true`): Alembic takes %.2fx retort's time." % (
            "**met**" if r > 1 else "**missed**", r))
    r = ratio(("autogen2000", "postgres"), "retort", "client")
    a = ratio(("autogen2000", "postgres"), "alembic", "retort")
    if r is not None:
        lines.append("%s `migrate` on PostgreSQL with 2,000 tables (warm cache) at most 1.15x one `psql -f` load of the desired schema: %.2fx." % (
            "**met**" if r <= 1.15 else "**missed**", r))
    if a is not None:
        lines.append("%s `migrate` on PostgreSQL with 2,000 tables at least 3x faster than Alembic: %.2fx." % (
            "**met**" if a >= 3 else "**missed**", a))
    return lines


def splice(path, report_path):
    rep = open(report_path).read().rstrip("\n")
    if os.path.exists(path):
        text = open(path).read()
    else:
        text = "# Benchmarks\n\n%s\n%s\n" % (BEGIN, END)
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + "\n\n%s\n%s\n" % (BEGIN, END)
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    with open(path, "w") as f:
        f.write(head + BEGIN + "\n" + rep + "\n" + END + tail)


def main(argv):
    if len(argv) == 4 and argv[1] == "--splice":
        splice(argv[2], argv[3])
    elif len(argv) == 2:
        sys.stdout.write(report(argv[1]))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
