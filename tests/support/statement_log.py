"""PostgreSQL's own log of the statements one database receives, read back by the tests.

`log_statement = 'all'` is set on a scratch database only (`ALTER DATABASE ... SET`), so the server logs
every statement its sessions send, transaction control and the pool's pings included, one line each:
a line is one round trip (an extended-protocol query is sent with its Sync in one go). The server's
`log_line_prefix` names the database (`%d`, Debian's default), which keeps other databases' lines out.
"""

import glob
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from tests.support import services

# What the server prints for each statement it receives, simple or extended protocol.
_STATEMENT = re.compile(r"LOG:\s+(?:statement|execute [^:]*):\s?(?P<sql>.*)")


class StatementLog:
    """The server log lines of one database, from a point in time on."""

    def __init__(self, database_url: str):
        url = sa.make_url(database_url)
        self.database = url.database
        self.admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with self.admin.connect() as connection:
            connection.exec_driver_sql(f"ALTER DATABASE \"{self.database}\" SET log_statement = 'all'")
            self.path = self._log_file(connection)

    def _log_file(self, connection) -> Path:
        """Return the file the server writes its log to (its collector's file, or Debian's stderr log)."""
        current = connection.exec_driver_sql("SELECT pg_current_logfile()").scalar()
        if current:
            data_directory = connection.exec_driver_sql("SHOW data_directory").scalar()
            return Path(data_directory) / current
        major = int(connection.exec_driver_sql("SHOW server_version_num").scalar()) // 10000
        candidates = glob.glob(f"/var/log/postgresql/postgresql-{major}-*.log")
        if len(candidates) != 1:
            services.service_missing("PostgreSQL's statement log", f"/var/log/postgresql ({candidates or 'no file'})")
        return Path(candidates[0])

    @contextmanager
    def watch(self) -> Iterator[list[str]]:
        """Collect, into the yielded list, the statements this database receives inside the block."""
        statements: list[str] = []
        start = self.path.stat().st_size
        yield statements
        marker = f"@{self.database} "
        with self.path.open(encoding="utf-8", errors="replace") as log:
            log.seek(start)
            for line in log:
                match = _STATEMENT.search(line) if marker in line else None
                if match:
                    statements.append(match["sql"].strip())

    def close(self) -> None:
        self.admin.dispose()
