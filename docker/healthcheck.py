"""Container health check: GET /healthz on the local gunicorn (port 8000, or the first
argument); exit 0 only on HTTP 200.

Standard library only, so it costs no Django start-up. The request carries the first
ALLOWED_HOSTS name as its Host header (Django refuses unknown hosts) and X-Forwarded-Proto
https, as the reverse proxy would send.
"""

import http.client
import os
import sys


def main(port: int = 8000) -> int:
    hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = next((h.lstrip(".") for h in hosts if h != "*"), "localhost")
    timeout = int(os.environ.get("HEALTHZ_TIMEOUT", "2")) * 3 + 2
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", "/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        body = response.read(2000).decode("utf-8", "replace")
    except OSError as exc:
        print(f"healthz unreachable: {exc}")
        return 1
    finally:
        conn.close()
    print(response.status, body)
    return 0 if response.status == 200 else 1


if __name__ == "__main__":
    sys.exit(main(*(int(arg) for arg in sys.argv[1:2])))
