#!/usr/bin/env python3
"""Signs contacts in through the portal's sign-in form, all at once, from one process.

The storm round measures the home page while sign-ins pour in. Done with curl, each sign-in
cost a dozen processes (bash, two curls, grep, sed, awk, mktemp): on a 2-core machine the
client's forks, not the server, set the home page's p99. Here one process holds every
connection: what the round measures is the server's.

stdin: "SLUG EMAIL ADDR" lines (ADDR: the local address to connect from, so the per-address
sign-in limit sees many visitors). argv: BASE (http://127.0.0.1:PORT), PASSWORD.
stdout: "CODE SLUG EMAIL SESSION" per line, SESSION "-" when none was set, as bench.sh's
sign_in prints them.
"""
import asyncio
import re
import sys
import urllib.parse

TOKEN = re.compile(rb'name="csrf_token" value="([0-9a-f]*)"')


async def exchange(host, port, addr, request):
    """One request on a connection of its own; the status, Set-Cookie pairs and body."""
    reader, writer = await asyncio.open_connection(host, port, local_addr=(addr, 0))
    try:
        writer.write(request)
        await writer.drain()
        raw = await asyncio.wait_for(reader.read(-1), timeout=60)
    finally:
        writer.close()
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1]) if lines and " " in lines[0] else 0
    cookies = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "set-cookie":
            pair = value.strip().split(";", 1)[0]
            k, _, v = pair.partition("=")
            cookies[k] = v
    return status, cookies, body


async def sign_in(host, port, password, slug, email, addr):
    path = f"/w/{slug}/portal/sign-in"
    try:
        get = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n"
        ).encode()
        _, jar, form = await exchange(host, port, addr, get)
        found = TOKEN.search(form)
        token = found.group(1).decode() if found else ""
        body = urllib.parse.urlencode(
            {"email": email, "password": password, "csrf_token": token}
        ).encode()
        cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
        post = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nCookie: {cookie}\r\n\r\n"
        ).encode() + body
        code, answer, _ = await exchange(host, port, addr, post)
    except (OSError, asyncio.TimeoutError, ValueError):
        code, answer = 0, {}
    session = answer.get("portico_portal") or "-"
    return f"{code} {slug} {email} {session}"


async def main():
    base, password = sys.argv[1], sys.argv[2]
    url = urllib.parse.urlsplit(base)
    work = [line.split() for line in sys.stdin if line.strip()]
    lines = await asyncio.gather(
        *(sign_in(url.hostname, url.port, password, *w) for w in work)
    )
    print("\n".join(lines))


asyncio.run(main())
