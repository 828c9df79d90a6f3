#!/usr/bin/python3
"""svc_servers.py DIR - the servers the service probe tests talk to, all on
127.0.0.1 at ports the kernel picks, written to DIR/ports.json once every
one listens:

  https   TLS with DIR/cert.pem + DIR/key.pem (the test makes them)
  http    the same pages in clear
          /ok    200 "slamon mini-program OK"
          /500   500
          /loop  302 to itself (a redirect loop)
          /slow  200 after 300 ms
          /big   200, 1 MiB of "x" then "needle" (past the probe's 64 KiB)
  hang    TCP: accepts and never answers (held until exit)
  dns     UDP: app.slamon.test A 127.0.0.9 (AAAA: no data), servfail.
          slamon.test SERVFAIL, anything else NXDOMAIN

Exits on SIGTERM, when its parent dies (the test sets PR_SET_PDEATHSIG),
or after 600 s at most.
SPDX-License-Identifier: MIT
"""
import http.server
import json
import os
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time


class Pages(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body, extra=()):
        self.send_response(code)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/ok":
            self.send(200, "<html>slamon mini-program OK 小程序</html>".encode())
        elif self.path == "/500":
            self.send(500, b"internal error")
        elif self.path == "/loop":
            self.send(302, b"", [("Location", "/loop")])
        elif self.path == "/slow":
            time.sleep(0.3)
            self.send(200, b"slow but fine")
        elif self.path == "/big":
            self.send(200, b"x" * (1 << 20) + b"needle")
        else:
            self.send(404, b"not here")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # the probe drops connections on purpose (bounded body)


def dns_answer(data):
    if len(data) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", data[:6])
    pos, labels = 12, []
    while pos < len(data) and data[pos] != 0:
        n = data[pos]
        labels.append(data[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    qend = pos + 5
    if qd != 1 or qend > len(data):
        return None
    qtype = struct.unpack("!H", data[pos + 1:pos + 3])[0]
    name = ".".join(labels).lower()
    question = data[12:qend]
    rcode, answers = 0, b""
    if name == "app.slamon.test":
        if qtype == 1:
            answers = (b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) +
                       socket.inet_aton("127.0.0.9"))
    elif name == "servfail.slamon.test":
        rcode = 2
    else:
        rcode = 3
    an = 1 if answers else 0
    hdr = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, an, 0, 0)
    return hdr + question + answers


def dns_loop(sock):
    while True:
        data, addr = sock.recvfrom(512)
        reply = dns_answer(data)
        if reply:
            sock.sendto(reply, addr)


def hang_loop(sock, held):
    while True:
        conn, _ = sock.accept()
        held.append(conn)  # never read, never answered


def main():
    d = sys.argv[1]
    https = Server(("127.0.0.1", 0), Pages)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, "cert.pem"),
                        os.path.join(d, "key.pem"))
    https.socket = ctx.wrap_socket(https.socket, server_side=True)
    plain = Server(("127.0.0.1", 0), Pages)
    hang = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    hang.bind(("127.0.0.1", 0))
    hang.listen(16)
    dns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    dns.bind(("127.0.0.1", 0))
    held = []
    for target, args in ((https.serve_forever, ()),
                         (plain.serve_forever, ()),
                         (hang_loop, (hang, held)), (dns_loop, (dns,))):
        threading.Thread(target=target, args=args, daemon=True).start()
    ports = {"https": https.server_address[1],
             "http": plain.server_address[1],
             "hang": hang.getsockname()[1], "dns": dns.getsockname()[1]}
    tmp = os.path.join(d, "ports.json.tmp")
    with open(tmp, "w") as f:
        json.dump(ports, f)
    os.rename(tmp, os.path.join(d, "ports.json"))
    time.sleep(600)


if __name__ == "__main__":
    main()
