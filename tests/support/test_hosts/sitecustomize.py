"""Resolve every host name under `.test` to 127.0.0.1, in a process started with this folder on PYTHONPATH.

Python imports `sitecustomize` as it starts: the two-instance federation test puts this folder on
the PYTHONPATH of its gunicorn servers, so that `a.test` and `b.test` reach each other on loopback
with real URLs and Host headers, and nothing on the machine (no /etc/hosts line) changes.
"""

import socket

_resolve = socket.getaddrinfo


def resolve_test_hosts(host, *args, **kwargs):
    """`socket.getaddrinfo`, with `*.test` answered as 127.0.0.1."""
    if isinstance(host, (str, bytes)) and (host.decode() if isinstance(host, bytes) else host).endswith(".test"):
        host = "127.0.0.1"
    return _resolve(host, *args, **kwargs)


socket.getaddrinfo = resolve_test_hosts
