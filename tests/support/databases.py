"""Empty databases of their own on the real PostgreSQL and MariaDB servers, for tests that need a whole one."""

import uuid

import sqlalchemy as sa
from sqlalchemy.pool import NullPool


class ScratchDatabases:
    """Create uniquely named, empty databases on a server; `close()` drops every one of them.

    For the tests that need a database nobody else touches: migrations from nothing, a server in another
    process (gunicorn, boot.sh), connections cut by a proxy.
    """

    def __init__(self, server_url: str, prefix: str = "microblog_test"):
        self.server_url = sa.make_url(server_url)
        self.prefix = prefix
        self.created: list[str] = []
        self.admin = sa.create_engine(self.server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)

    @property
    def is_postgresql(self) -> bool:
        return self.server_url.get_backend_name() == "postgresql"

    def create(self) -> str:
        """Create an empty database; return its URL (password included)."""
        name = f"{self.prefix}_{uuid.uuid4().hex[:12]}"
        if self.is_postgresql:
            statement = f'CREATE DATABASE "{name}"'
        else:
            statement = f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        with self.admin.connect() as connection:
            connection.exec_driver_sql(statement)
        self.created.append(name)
        return self.server_url.set(database=name).render_as_string(hide_password=False)

    def close(self) -> None:
        """Drop every database `create` made, even with connections still open to it."""
        try:
            with self.admin.connect() as connection:
                for name in self.created:
                    if self.is_postgresql:
                        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                    else:
                        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")
            self.created.clear()
        finally:
            self.admin.dispose()

    def __enter__(self) -> "ScratchDatabases":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
