"""Local fake SMS gateways speaking Mitake's and every8d's HTTP formats (the real ones
cannot be reached from here).

Mitake (``POST /api/mtk/SmSend``): INI reply ``[1] msgid= statuscode= AccountPoint=``;
a ``clientid`` seen before answers the first ``msgid`` with ``Duplicate=Y`` (Mitake drops
repeats for 12 hours); ``dstaddr`` in ``BAD_NUMBERS`` gets ``statuscode=v`` (invalid number).
every8d (``POST /API21/HTTP/sendSMS.ashx``): ``CREDIT,SENDED,COST,UNSEND,BATCH_ID``; a bad
number gets ``-306,...``. ``down = True`` answers HTTP 503 to everything.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

BAD_NUMBERS = {"0900000000"}


@dataclass
class FakeGateway:
    url: str = ""
    down: bool = False
    requests: list[dict] = field(default_factory=list)
    delivered: list[dict] = field(default_factory=list)  # messages actually accepted once
    seen_client_ids: dict[str, str] = field(default_factory=dict)
    credit: float = 100.0


def _handler(gateway: FakeGateway):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _reply(self, status: int, text: str):
            body = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode("utf-8")).items()}
            path = urlparse(self.path).path
            gateway.requests.append({"path": path, **form})
            if gateway.down:
                return self._reply(503, "Service Unavailable")
            if path == "/api/mtk/SmSend":
                return self._mitake(form)
            if path == "/API21/HTTP/sendSMS.ashx":
                return self._every8d(form)
            return self._reply(404, "not found")

        def _mitake(self, form):
            if form.get("username") != "mol" or form.get("password") != "pw":
                return self._reply(200, "[1]\nstatuscode=e\nError=帳號、密碼錯誤\n")
            if form.get("dstaddr") in BAD_NUMBERS:
                return self._reply(200, "[1]\nstatuscode=v\nError=無效的手機號碼\n")
            client_id = form.get("clientid", "")
            if client_id and client_id in gateway.seen_client_ids:
                msgid = gateway.seen_client_ids[client_id]
                return self._reply(
                    200,
                    f"[1]\nmsgid={msgid}\nstatuscode=1\nAccountPoint={int(gateway.credit)}\nDuplicate=Y\n",
                )
            msgid = str(1000000000 + len(gateway.delivered))
            gateway.seen_client_ids[client_id] = msgid
            gateway.credit -= 1
            gateway.delivered.append({"to": form["dstaddr"], "text": form["smbody"], "id": msgid})
            return self._reply(
                200, f"[1]\nmsgid={msgid}\nstatuscode=1\nAccountPoint={int(gateway.credit)}\n"
            )

        def _every8d(self, form):
            if form.get("UID") != "mol" or form.get("PWD") != "pw":
                return self._reply(200, "-99,帳號或密碼錯誤")
            if form.get("DEST") in BAD_NUMBERS:
                return self._reply(200, "-306,手機號碼格式錯誤")
            gateway.credit -= 1
            batch = uuid.uuid4().hex
            gateway.delivered.append({"to": form["DEST"], "text": form["MSG"], "id": batch})
            return self._reply(200, f"{gateway.credit:.1f},1,1.0,0,{batch}")

    return Handler


def start_fake_gateway() -> tuple[FakeGateway, ThreadingHTTPServer]:
    gateway = FakeGateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gateway))
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return gateway, server
