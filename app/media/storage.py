"""Where image files live: a local directory (the default) or an S3-compatible bucket.

Both backends take flat names (`app.models.media.file_name`: `<random key>-<variant>.<ext>`) and
refuse anything else, so no name can reach outside the directory or the bucket's prefix.
"""

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import ClientError

# A stored name: letters, digits, '-' and '_', one dot before a short extension. No '/', no '..'.
SAFE_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}\.[a-z0-9]{1,5}")


class Storage(Protocol):
    """What the media service needs from a place to keep files."""

    name: str

    def save(self, name: str, data: bytes, content_type: str) -> None:
        """Write (or overwrite) the file `name`."""

    def read(self, name: str) -> bytes:
        """Return the file's bytes; raise FileNotFoundError when it is missing."""

    def delete(self, names: Iterable[str]) -> None:
        """Remove these files; a missing one is no error."""

    def list(self) -> Iterator[tuple[str, datetime]]:
        """Yield every stored name with the time it was last written (UTC)."""

    def public_url(self, name: str) -> str | None:
        """Return a URL that serves the file without the app, or None when the app must serve it."""

    def public_origin(self) -> str | None:
        """Return the origin (`scheme://host[:port]`) of the public URLs, or None when there are none."""


def check_name(name: str) -> str:
    """Return `name` if it is a safe flat file name, else raise ValueError."""
    if not SAFE_NAME.fullmatch(name):
        raise ValueError(f"not a media file name: {name!r}")
    return name


def origin_of(url: str) -> str | None:
    """Return a URL's origin (`scheme://host[:port]`, no credentials), or None when it has no host."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    if not parts.scheme or not host:
        return None
    return f"{parts.scheme.lower()}://{host.lower()}"


class LocalStorage:
    """Files in one directory (UPLOAD_DIR), created on first write."""

    name = "local"

    def __init__(self, root: str | Path):
        self.root = Path(root).resolve()

    def path(self, name: str) -> Path:
        """Return the file's path inside the directory (a safe name always stays inside it)."""
        path = (self.root / check_name(name)).resolve()
        if path.parent != self.root:
            raise ValueError(f"not a media file name: {name!r}")
        return path

    def save(self, name: str, data: bytes, content_type: str) -> None:
        path = self.path(name)
        self.root.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: a reader never sees half a file.
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(data)
        partial.replace(path)

    def read(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def delete(self, names: Iterable[str]) -> None:
        for name in names:
            self.path(name).unlink(missing_ok=True)

    def list(self) -> Iterator[tuple[str, datetime]]:
        if not self.root.is_dir():
            return
        for entry in self.root.iterdir():
            if entry.is_file() and SAFE_NAME.fullmatch(entry.name):
                yield entry.name, datetime.fromtimestamp(entry.stat().st_mtime, UTC)

    def public_url(self, name: str) -> str | None:
        return None

    def public_origin(self) -> str | None:
        return None


class S3Storage:
    """Objects in an S3-compatible bucket (AWS, MinIO, Ceph, R2...), under an optional prefix."""

    name = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        public_url: str | None = None,
        prefix: str = "",
        client=None,
    ):
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.base_url = public_url.rstrip("/") if public_url else None
        self.origin = origin_of(self.base_url) if self.base_url else None
        self.client = client or boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
        )

    def _key(self, name: str) -> str:
        return self.prefix + check_name(name)

    def save(self, name: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=self._key(name),
            Body=data,
            ContentType=content_type,
            CacheControl="public, max-age=31536000, immutable",
        )

    def read(self, name: str) -> bytes:
        try:
            reply = self.client.get_object(Bucket=self.bucket, Key=self._key(name))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise FileNotFoundError(name) from None
            raise
        return reply["Body"].read()

    def delete(self, names: Iterable[str]) -> None:
        keys = [{"Key": self._key(name)} for name in names]
        # DeleteObjects takes at most 1000 keys a call.
        for start in range(0, len(keys), 1000):
            batch = {"Objects": keys[start : start + 1000], "Quiet": True}
            self.client.delete_objects(Bucket=self.bucket, Delete=batch)

    def list(self) -> Iterator[tuple[str, datetime]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix) :]
                if SAFE_NAME.fullmatch(name):
                    yield name, item["LastModified"].astimezone(UTC)

    def public_url(self, name: str) -> str | None:
        if self.base_url is None:
            return None
        return f"{self.base_url}/{self._key(name)}"

    def public_origin(self) -> str | None:
        return self.origin
