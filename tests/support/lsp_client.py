"""A minimal LSP client over a `sparkc lsp` child process: framing, requests
with ids, and waiting for notifications. For tests/e2e/lsp_protocol.py and
bench/lsp_latency.py."""
import json
import os
import select
import subprocess
import time


class Client:
    def __init__(self, sparkc, args=(), cwd=None, env=None):
        self.proc = subprocess.Popen([sparkc, "lsp", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=cwd, env=env)
        self.next_id = 1
        self.buffer = b""
        self.notifications = []

    def send(self, message):
        body = json.dumps(message).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def send_raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params, timeout=30):
        rid = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == rid and "method" not in m, timeout)

    def read(self, timeout):
        """One message, or None when none came within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                length = None
                for line in self.buffer[:end].split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                assert length is not None, self.buffer[:end]
                if len(self.buffer) >= end + 4 + length:
                    body = self.buffer[end + 4:end + 4 + length]
                    self.buffer = self.buffer[end + 4 + length:]
                    return json.loads(body)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, 65536)
            if not chunk:
                raise EOFError("sparkc lsp closed its output")
            self.buffer += chunk

    def wait(self, predicate, timeout=30):
        for i, m in enumerate(self.notifications):
            if predicate(m):
                return self.notifications.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            m = self.read(max(0, deadline - time.monotonic()))
            if m is None:
                raise TimeoutError("no matching message within %s s" % timeout)
            if predicate(m):
                return m
            self.notifications.append(m)

    def diagnostics(self, uri, timeout=30, version=None):
        """The next publishDiagnostics for `uri` (of that version of it)."""
        m = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
                      and (version is None or m["params"].get("version") == version), timeout)
        return m["params"]["diagnostics"]

    def initialize(self, root_uri=None, encodings=None):
        caps = {}
        if encodings:
            caps["general"] = {"positionEncodings": encodings}
        r = self.request("initialize", {"processId": os.getpid(), "rootUri": root_uri, "capabilities": caps})
        self.notify("initialized", {})
        return r

    def open(self, uri, text, version=1):
        self.notify("textDocument/didOpen",
                    {"textDocument": {"uri": uri, "languageId": "spark", "version": version, "text": text}})

    def close(self):
        try:
            self.request("shutdown", None, timeout=10)
            self.notify("exit", None)
            return self.proc.wait(timeout=10)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
