"""A fast SMTP sink for the benchmarks: accepts every message and only counts, in a process of
its own (``python bench/_smtp_counter.py PORT``; prints ``ready`` when it listens).

It speaks enough SMTP for smtplib (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and two
commands of its own for the benchmark: ``XSTATS`` answers ``250 <messages> <distinct
Message-IDs> <bytes>``, ``XRESET`` forgets everything. Only 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import sys

END = b"\r\n.\r\n"


class Stats:
    def __init__(self):
        self.reset()

    def reset(self):
        self.messages = 0
        self.bytes = 0
        self.ids: set[bytes] = set()


STATS = Stats()


def message_id(data: bytes) -> bytes:
    head = data[: data.find(b"\r\n\r\n")]
    at = head.find(b"\r\nMessage-ID: ")
    if at < 0:
        return b""
    start = at + 14
    return head[start : head.find(b"\r\n", start)]


class Session(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""
        self.in_data = False
        transport.write(b"220 bench sink ESMTP\r\n")

    def data_received(self, data: bytes):
        self.buffer += data
        while self.buffer:
            if self.in_data:
                end = self.buffer.find(END)
                if end < 0:
                    return
                body, self.buffer = self.buffer[:end], self.buffer[end + len(END) :]
                self.in_data = False
                STATS.messages += 1
                STATS.bytes += len(body)
                STATS.ids.add(message_id(body))
                self.transport.write(b"250 2.0.0 Ok: queued\r\n")
                continue
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                return
            line, self.buffer = self.buffer[:line_end], self.buffer[line_end + 2 :]
            self.command(line)

    def command(self, line: bytes):
        verb = line[:4].upper()
        write = self.transport.write
        if verb == b"EHLO":
            write(b"250-bench sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 52428800\r\n")
        elif verb == b"DATA":
            self.in_data = True
            write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
        elif verb == b"QUIT":
            write(b"221 Bye\r\n")
            self.transport.close()
        elif verb == b"XSTA":
            write(f"250 {STATS.messages} {len(STATS.ids)} {STATS.bytes}\r\n".encode())
        elif verb == b"XRES":
            STATS.reset()
            write(b"250 reset\r\n")
        else:  # HELO, MAIL, RCPT, RSET, NOOP
            write(b"250 Ok\r\n")


async def main(port: int):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Session, "127.0.0.1", port, backlog=128)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
