"""A TCP relay the test can cut, to play a database server that goes away and comes back."""

import contextlib
import socket
import threading


class TcpProxy:
    """A TCP relay on 127.0.0.1 in front of a server; `cut()` drops every connection until `restore()`."""

    def __init__(self, host: str, port: int):
        self.upstream = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.is_cut = False
        self.stopping = False
        self.lock = threading.Lock()
        self.sockets: list = []
        self.thread = threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True)
        self.thread.start()

    def _accept_loop(self) -> None:
        while not self.stopping:
            try:
                client, _ = self.listener.accept()
            except (TimeoutError, OSError):
                continue
            if self.is_cut:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            client.settimeout(None)
            with self.lock:
                self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source, target) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source)
            self._close(target)

    def _close(self, sock) -> None:
        with self.lock:
            if sock in self.sockets:
                self.sockets.remove(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def cut(self) -> None:
        """Refuse new connections and break the open ones, like a database that went away."""
        self.is_cut = True
        with self.lock:
            open_sockets = list(self.sockets)
        for sock in open_sockets:
            self._close(sock)

    def restore(self) -> None:
        self.is_cut = False

    def close(self) -> None:
        self.stopping = True
        self.cut()
        self.thread.join(timeout=5)
        self.listener.close()
