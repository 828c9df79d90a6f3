#!/usr/bin/python3
"""demo-services.py DIR - the demo's services on 127.0.0.1 (scripts/demo.sh):

  miniprogram  HTTPS mini-program backend with a self-signed certificate
               (DIR/cert.pem, DIR/key.pem, made by demo.sh with openssl):
               GET /api/health -> 200 {"status":"ok"}
  govcloud     HTTP 政务云 portal: GET / -> 200 "政务云门户"
  sms          TCP 短信平台 gateway: accepts and closes
  video        nothing: its port is reserved here and never listened on,
               so 视频会议 is down in the demo (a refused connection)

Ports are picked by the kernel and written to DIR/ports.json. Runs until
killed (demo.sh stops it by PID), at most 2 hours.
SPDX-License-Identifier: MIT
"""
import http.server
import json
import os
import socket
import socketserver
import ssl
import sys
import threading
import time


class Pages(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/api/health":
            body = b'{"status":"ok"}'
            ctype = "application/json"
        elif self.path == "/":
            body = "<html><title>政务云门户</title>政务云门户</html>".encode()
            ctype = "text/html; charset=utf-8"
        else:
            body, ctype = b"not found", "text/plain"
            self.send_response(404)
        if self.path in ("/api/health", "/"):
            self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


def accept_close(sock):
    while True:
        conn, _ = sock.accept()
        conn.close()


def main():
    d = sys.argv[1]
    mp = Server(("127.0.0.1", 0), Pages)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, "cert.pem"),
                        os.path.join(d, "key.pem"))
    mp.socket = ctx.wrap_socket(mp.socket, server_side=True)
    portal = Server(("127.0.0.1", 0), Pages)
    sms = socket.socket()
    sms.bind(("127.0.0.1", 0))
    sms.listen(16)
    video = socket.socket()  # bound, never listening: refused
    video.bind(("127.0.0.1", 0))
    for t, a in ((mp.serve_forever, ()), (portal.serve_forever, ()),
                 (accept_close, (sms,))):
        threading.Thread(target=t, args=a, daemon=True).start()
    ports = {"miniprogram": mp.server_address[1],
             "govcloud": portal.server_address[1],
             "sms": sms.getsockname()[1], "video": video.getsockname()[1]}
    with open(os.path.join(d, "ports.json.tmp"), "w") as f:
        json.dump(ports, f)
    os.rename(os.path.join(d, "ports.json.tmp"),
              os.path.join(d, "ports.json"))
    time.sleep(7200)


if __name__ == "__main__":
    main()
