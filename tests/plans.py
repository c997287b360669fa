"""Query plans in tests: EXPLAIN on Postgres with sequential scans off, so that a small test table is planned as a
big one would be (an index the query can use is used; a query that cannot use one still shows a Seq Scan)."""

from django.db import connection


def plan_of(sql: str, params=()) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())
