#!/usr/bin/env python3
"""Replays arshif's WARC exports in pywb, the archivists' replay tool, and compares indexes.

Usage: scripts/pywb-check.py [--bin target/debug/arshif] [--venv DIR]

Creates a virtual environment with pywb from PyPI (kept in --venv, default target/pywb-venv,
so later runs reuse it), then for two archives:
  - the demo archive `archive.db.example` (an edited Arabic article, 304 revisits);
  - a crawl of a small site served here on 127.0.0.1 (an IP host and a port), whose links carry
    query strings with their arguments out of order (one answered with a redirect), crawled
    twice so the second visit gets 304 revisits, often in the same second as the first;
exports each as WARC with `--cdx`, and checks that
  1. pywb's own index of the WARC (`wb-manager add`) and arshif's CDXJ agree on every line:
     URL key, timestamp to the second, digest, offset, length;
  2. with arshif's CDXJ as the collection's index, every capture it lists replays in pywb's
     `wayback`, by its exact timestamp and as the latest capture, with status 200 and one of
     the article's archived titles in the page (a redirect, followed, to the page it names);
  3. the live crawl's WARC holds its robots.txt and its redirect.
Exits 1 with one line per failure; 0 when everything holds. Needs the network only for PyPI.
"""

import argparse
import html
import http.server
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

PYWB = "pywb==2.10.0"
ROOT = pathlib.Path(__file__).resolve().parent.parent
FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL", msg, file=sys.stderr)


def venv(dir_):
    python = dir_ / "bin" / "python"
    if not (dir_ / "bin" / "wayback").exists():
        subprocess.run([sys.executable, "-m", "venv", str(dir_)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PYWB],
            check=True,
        )
    return dir_ / "bin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def site_pages(root):
    """Three articles whose next links carry query strings, arguments out of order."""
    titles = {
        "story.php": ["Council passes the budget", "Schools get new funding"],
        "report.php": ["Schools get new funding", "Roads are repaired"],
        "more/index.html": ["Roads are repaired", "The bridge reopens"],
        "final.php": ["The bridge reopens", None],
    }
    # `more?b=2&a=1` is answered with a redirect to `more/?b=2&a=1` (a folder without its slash).
    links = {
        "story.php": "report.php?z=2&id=7&a=1",
        "report.php": "more?b=2&a=1",
        "more/index.html": "final.php?page=1&cat=3",
    }
    (root / "more").mkdir()
    (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    para = (
        "<p>The regional council met on Thursday evening to discuss the budget, which includes "
        "new funding for schools and roads, and debated it at length before the vote.</p>"
    )
    for name, (title, _) in titles.items():
        nxt = links.get(name)
        nav = f'<a rel="next" href="/{nxt}">Next article</a>' if nxt else ""
        title = title if name != "more/index.html" else "Roads are repaired"
        html = (
            f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{title}</title></head>"
            f"<body><article><h1>{title}</h1>{para * 4}</article><nav>{nav}</nav></body></html>"
        )
        (root / name).write_text(html, encoding="utf-8")
    return "story.php?b=2&a=1"


class Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {".php": "text/html; charset=utf-8", "": "application/octet-stream"}

    def log_message(self, *args):
        pass


def serve(root):
    handler = lambda *a, **k: Quiet(*a, directory=str(root), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run(args, **kw):
    out = subprocess.run(args, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        raise SystemExit(f"pywb-check: {' '.join(map(str, args))} exited {out.returncode}: {out.stderr.strip()}")
    return out.stdout


def titles_by_url(bin_, db):
    rows = [json.loads(l) for l in run([bin_, "export", "--db", str(db)]).splitlines() if l.strip()]
    titles = {}
    for r in rows:
        for u in {r["url"], r.get("fetched_url") or r["url"]}:
            titles.setdefault(u, set()).add(r["title"])
    return titles


def index_entries(path):
    out = []
    for line in pathlib.Path(path).read_text(encoding="utf-8").splitlines():
        key, ts, js = line.split(" ", 2)
        j = json.loads(js)
        fields = [j.get(f) or "-" for f in ("digest", "offset", "length")]
        out.append((key, ts[:14], *fields, j["url"], ts, j.get("status", "-")))
    return out


def decode(raw, charset):
    """The page's text in the charset its headers or its <meta> declare (the Arabic fixture
    site serves windows-1256)."""
    if not charset:
        meta = re.search(rb"""<meta[^>]+charset=["']?([\w-]+)""", raw[:4096], re.I)
        charset = meta.group(1).decode("ascii") if meta else "utf-8"
    try:
        return raw.decode(charset, "replace")
    except LookupError:
        return raw.decode("utf-8", "replace")


def check_archive(name, bin_, db, pybin, work):
    coll_root = work / name
    coll_root.mkdir()
    warc, cdx = coll_root / f"{name}.warc.gz", coll_root / f"{name}.cdxj"
    run([bin_, "export", "--db", str(db), "--format", "warc", "--output", str(warc), "--cdx", str(cdx)])
    run([str(pybin / "wb-manager"), "init", name], cwd=coll_root)
    run([str(pybin / "wb-manager"), "add", name, str(warc)], cwd=coll_root)
    pywb_index = coll_root / "collections" / name / "indexes" / "index.cdxj"
    ours, theirs = index_entries(cdx), index_entries(pywb_index)
    if not ours:
        fail(f"{name}: arshif's CDXJ is empty")
    key = lambda e: e[:5]  # noqa: E731
    missing = sorted(set(map(key, theirs)) - set(map(key, ours)))
    extra = sorted(set(map(key, ours)) - set(map(key, theirs)))
    for e in missing:
        fail(f"{name}: pywb indexes {e} and arshif does not")
    for e in extra:
        fail(f"{name}: arshif indexes {e} and pywb does not")
    # Replay from arshif's own index.
    shutil.copy(cdx, pywb_index)
    titles = titles_by_url(bin_, db)
    port = free_port()
    wayback = subprocess.Popen(
        [str(pybin / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
        cwd=coll_root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except Exception:
                time.sleep(0.2)
        replays = 0
        any_title = set().union(*titles.values()) if titles else set()
        for e in ours:
            url, ts = e[5], e[6]
            redirect = e[7].startswith("3")
            for mode in (f"{ts}id_", "id_"):
                replays += 1
                target = f"http://127.0.0.1:{port}/{name}/{mode}/{url}"
                try:
                    with urllib.request.urlopen(target, timeout=20) as r:
                        status, body = r.status, decode(r.read(), r.headers.get_content_charset())
                except urllib.error.HTTPError as err:
                    status, body = err.code, ""
                if url.endswith("/robots.txt"):
                    # What the crawl obeyed replays as it was served.
                    archived = int(e[7]) if e[7].isdigit() else 200
                    if status != archived or (status == 200 and "User-agent" not in body):
                        fail(f"{name}: {mode} {url} replayed {status}, archived {e[7]}")
                    continue
                page = " ".join(html.unescape(body).split())
                # A redirect replays as a redirect, which urllib follows to the capture it names.
                want = any_title if redirect else titles.get(url, set())
                if status != 200 or not any(" ".join(t.split()) in page for t in want):
                    found = re.search(r"<title>(.*?)</title>", body, re.S)
                    title = found.group(1).strip() if found else None
                    fail(
                        f"{name}: {mode} {url} replayed {status} with <title> {title!r}, "
                        f"want 200 and one of the archived titles {sorted(want)}"
                    )
        print(f"pywb-check: {name}: {len(ours)} index lines agree with pywb's; {replays} replays", file=sys.stderr)
    finally:
        wayback.terminate()
        wayback.wait(timeout=10)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "target" / "debug" / "arshif"))
    ap.add_argument("--venv", default=str(ROOT / "target" / "pywb-venv"))
    args = ap.parse_args()
    bin_ = str(pathlib.Path(args.bin).resolve())
    pybin = venv(pathlib.Path(args.venv).resolve())
    with tempfile.TemporaryDirectory(prefix="pywb-check-") as tmp:
        work = pathlib.Path(tmp)
        demo = work / "demo.db"
        shutil.copy(ROOT / "archive.db.example", demo)
        check_archive("demo", bin_, demo, pybin, work)

        site = work / "site"
        site.mkdir()
        start = site_pages(site)
        server = serve(site)
        db = work / "live.db"
        url = f"http://127.0.0.1:{server.server_port}/{start}"
        for _ in range(2):
            run([bin_, "crawl", url, "--db", str(db), "--rate", "50"])
        server.shutdown()
        check_archive("live", bin_, db, pybin, work)
        live = index_entries(work / "live" / "live.cdxj")
        if not any(k.startswith("1,0,0,127:") for k, *_ in live):
            fail("live: no key for the IP host in arshif's CDXJ")
        if not any("?a=1&id=7&z=2" in k for k, *_ in live):
            fail("live: no key with the query's arguments sorted")
        entries = [
            json.loads(line.split(" ", 2)[2])
            for line in (work / "live" / "live.cdxj").read_text().splitlines()
        ]
        if not any(e["mime"] == "warc/revisit" for e in entries):
            fail("live: the second crawl left no revisit")
        if not any(e.get("status", "").startswith("3") for e in entries):
            fail("live: no redirect record")
        if not any(e["url"].endswith("/robots.txt") for e in entries):
            fail("live: no robots.txt record")
    if FAILURES:
        print(f"pywb-check: {len(FAILURES)} failures", file=sys.stderr)
        sys.exit(1)
    print("pywb-check: every capture replays in pywb and both indexes agree", file=sys.stderr)


if __name__ == "__main__":
    main()
