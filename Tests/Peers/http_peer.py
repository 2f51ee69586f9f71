"""A small HTTP/1.1 server for the Swift HTTPClient tests.

Prints `bound http://127.0.0.1:<port>` (`https://` with `--tls <cert> <key>`) and serves until killed:
  /echo...        200, JSON {method, path, headers, body, connection}: what the client sent
  /chunked        200 with a chunked body of three chunks
  /close          200 with `Connection: close`, then closes
  /drop           200 (keep-alive), then closes the connection silently (a server's idle close)
  /slow           waits 5 s before answering (for timeouts)
  /status/<n>     answers with status n
"""
import itertools
import json
import os
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

connection_ids = itertools.count(1)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        self.connection_id = next(connection_ids)

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.path.startswith("/chunked"):
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"hello ", b"chunked ", b"world"):
                self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
            return
        if self.path.startswith("/slow"):
            time.sleep(5)
        status = 200
        if self.path.startswith("/status/"):
            status = int(self.path.rsplit("/", 1)[1])
        payload = json.dumps({
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body.decode("utf-8", "replace"),
            "connection": self.connection_id,
        }).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if self.path.startswith("/close"):
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(payload)
        if self.path.startswith("/drop"):
            self.wfile.flush()
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


# The test process blocks signals and Foundation's Process passes its mask on: unblock them so
# that terminating the peer works, and leave when the test process is gone.
signal.pthread_sigmask(signal.SIG_SETMASK, [])
parent = os.getppid()


def watch_parent():
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


threading.Thread(target=watch_parent, daemon=True).start()

server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
scheme = "http"
if len(sys.argv) == 4 and sys.argv[1] == "--tls":
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[2], sys.argv[3])
    server.socket = context.wrap_socket(server.socket, server_side=True)
    scheme = "https"
print(f"bound {scheme}://127.0.0.1:{server.server_address[1]}", flush=True)
server.serve_forever()
