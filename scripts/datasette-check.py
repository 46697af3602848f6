#!/usr/bin/env python3
"""Serves an archive with Datasette and the metadata `arshif datasette-metadata` writes for it.

Usage: scripts/datasette-check.py [--bin target/debug/arshif] [--venv DIR]

Creates a virtual environment with Datasette from PyPI (kept in --venv, default
target/datasette-venv), copies `archive.db.example` to a file of another name (`demo.db`),
writes its metadata with `arshif datasette-metadata --db demo.db`, serves it, and checks that
  - the tables' descriptions show (the metadata is keyed on the database's own name);
  - each canned query answers JSON with rows: what changed since a date, an article's versions,
    a search with a folded query;
  - `_search=` on `versions` uses the full-text index.
Exits 1 with one line per failure; 0 when everything holds. Needs the network only for PyPI.
"""

import argparse
import json
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

DATASETTE = "datasette==0.65.1"
ROOT = pathlib.Path(__file__).resolve().parent.parent
FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL", msg, file=sys.stderr)


def venv(dir_):
    if not (dir_ / "bin" / "datasette").exists():
        subprocess.run([sys.executable, "-m", "venv", str(dir_)], check=True)
        subprocess.run(
            [str(dir_ / "bin" / "python"), "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", DATASETTE],
            check=True,
        )
    return dir_ / "bin"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, **params):
    query = urllib.parse.urlencode(params)
    url = f"http://127.0.0.1:{port}{path}" + (f"?{query}" if query else "")
    with urllib.request.urlopen(url, timeout=20) as r:
        return r.read().decode("utf-8")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "target" / "debug" / "arshif"))
    ap.add_argument("--venv", default=str(ROOT / "target" / "datasette-venv"))
    args = ap.parse_args()
    bin_ = str(pathlib.Path(args.bin).resolve())
    pybin = venv(pathlib.Path(args.venv).resolve())
    with tempfile.TemporaryDirectory(prefix="datasette-check-") as tmp:
        work = pathlib.Path(tmp)
        db = work / "demo.db"
        shutil.copy(ROOT / "archive.db.example", db)
        meta = work / "metadata.json"
        subprocess.run([bin_, "datasette-metadata", "--db", str(db), "--output", str(meta)], check=True)
        metadata = json.loads(meta.read_text(encoding="utf-8"))
        if list(metadata["databases"]) != ["demo"]:
            fail(f"metadata keyed on {list(metadata['databases'])}, want ['demo']")
        port = free_port()
        server = subprocess.Popen(
            [str(pybin / "datasette"), "serve", str(db), "--metadata", str(meta), "-p", str(port), "-h", "127.0.0.1"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    get(port, "/-/versions.json")
                    break
                except Exception:
                    time.sleep(0.2)
            tables = metadata["databases"]["demo"]["tables"]
            page = get(port, "/demo/latest_versions")
            if tables["latest_versions"]["description"].split(" (")[0] not in page:
                fail("the description of latest_versions does not show in Datasette")
            url = json.loads(get(port, "/demo/latest_versions.json", _shape="array", _size="1"))[0]["url"]
            checks = {
                "changes_since": {"since": "2000-01-01"},
                "article_versions": {"url": url},
                "search": {"stems": "امن وطني"},
            }
            for name, params in checks.items():
                rows = json.loads(get(port, f"/demo/{name}.json", _shape="array", **params))
                if not rows:
                    fail(f"canned query {name} {params} returned no rows")
                else:
                    print(f"datasette-check: {name}: {len(rows)} rows", file=sys.stderr)
            rows = json.loads(get(port, "/demo/versions.json", _shape="array", _search="امن"))
            all_rows = json.loads(get(port, "/demo/versions.json", _shape="array", _size="max"))
            if not rows or len(rows) >= len(all_rows):
                fail(f"_search= on versions returned {len(rows)} of {len(all_rows)} rows")
        finally:
            server.terminate()
            server.wait(timeout=10)
    if FAILURES:
        print(f"datasette-check: {len(FAILURES)} failures", file=sys.stderr)
        sys.exit(1)
    print("datasette-check: the metadata, canned queries and full-text search work", file=sys.stderr)


if __name__ == "__main__":
    main()
