"""EXPLAIN of every statement each benchmark page runs, on data already generated.

Run: .venv/bin/python benchmarks/explain.py --database-url URL
For each page of benchmarks/run.py (the GET ones) it records the statements the page runs, asks
the database for each one's plan, and prints the page's heaviest statement (highest estimated
cost on PostgreSQL) with how it reads activity_logs, module_ratings and outcome_scores. It exits
1 if any page scans one of those tables sequentially (PostgreSQL) or without an index (SQLite).
"""
import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIG = ("activity_logs", "module_ratings", "outcome_scores")


def _plan_lines(connection, statement: str, parameters) -> tuple[float, list[str]]:
    """Estimated cost and plan lines of one statement (cost 0 on SQLite, which gives none)."""
    cursor = connection.cursor()
    if connection.__class__.__module__.startswith("sqlite3"):
        rows = cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
        return 0.0, [row[-1] for row in rows]
    cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
    plan = cursor.fetchone()[0]
    plan = plan if isinstance(plan, list) else json.loads(plan)
    lines: list[str] = []

    def walk(node, depth=0):
        relation = f" on {node['Relation Name']}" if "Relation Name" in node else ""
        index = f" using {node['Index Name']}" if "Index Name" in node else ""
        lines.append("  " * depth + f"{node['Node Type']}{relation}{index}")
        for child in node.get("Plans", []):
            walk(child, depth + 1)

    walk(plan[0]["Plan"])
    return float(plan[0]["Plan"]["Total Cost"]), lines


def _scans_without_index(lines: list[str]) -> list[str]:
    bad = []
    for line in lines:
        for table in BIG:
            if re.search(rf"Seq Scan on {table}\b", line) or re.search(rf"^SCAN {table}\b", line.strip()):
                bad.append(line.strip())
    return bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    from trainer.config import normalise_database_url
    url = normalise_database_url(args.database_url)
    os.environ["DATABASE_URL"] = url
    from sqlalchemy import event

    from benchmarks.generate import ACCOUNTS, PASSWORD
    from benchmarks.run import _ids, pages
    from benchmarks.wsgi import app
    from trainer.extensions import db

    app.config["WTF_CSRF_ENABLED"] = False
    todo = [p for p in pages(_ids(url)) if p.method == "GET"]
    seen: list[tuple[str, object]] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda _c, _cur, statement, parameters, _ctx, many: seen.append((statement, parameters)))
    clients = {}
    for role, email in ACCOUNTS.items():
        clients[role] = app.test_client()
        clients[role].post("/login", data={"email": email, "password": PASSWORD})
    failed = False
    print("| page | heaviest statement | estimated cost | how it reads the large tables |")
    print("| --- | --- | ---: | --- |")
    for page in todo:
        seen.clear()
        assert clients[page.role].get(page.path).status_code == 200, page.name
        with app.app_context():
            raw = db.engine.raw_connection()
            try:
                plans = [(_plan_lines(raw.driver_connection, s, p), s) for s, p in seen
                         if s.lstrip().upper().startswith(("SELECT", "WITH"))]
            finally:
                raw.close()
        (cost, lines), statement = max(plans, key=lambda item: item[0][0])
        bad = [b for (_, ls), _ in plans for b in _scans_without_index(ls)]
        failed |= bool(bad)
        reads = sorted({line.strip() for (_, ls), _ in plans for line in ls if any(t in line for t in BIG)})
        print(f"| {page.name} | from {_outer_table(statement)} | {cost:,.0f} | "
              f"{'; '.join(reads) or 'none of them'}{' **(' + '; '.join(bad) + ')**' if bad else ''} |")
    sys.exit(1 if failed else 0)


def _outer_table(statement: str) -> str:
    """The table the statement itself reads FROM (outside every subquery), or "?"."""
    depth, outer = 0, ""
    for piece in re.split(r"([()])", statement):
        if piece == "(":
            depth += 1
        elif piece == ")":
            depth -= 1
        elif depth == 0:
            outer += piece + " "
    table = re.search(r"\bFROM\s+(\w+)", outer)
    if table is None:
        return "?"
    return "a subquery" if table.group(1).upper() == "AS" else table.group(1)


if __name__ == "__main__":
    main()
