#!/usr/bin/env python3
"""Refreshes the example outputs in the README and docs/ from archive.db.example.

Usage: scripts/readme-examples.py [BIN]   (default target/release/arshif)

In README.md, ARCHITECTURE.md and docs/*.md, each line `$ arshif ... --db archive.db.example`
inside a fenced block is re-run, and its output replaced, up to the next `$ ` line or the fence
(`redact` writes, so its example is left as it is). Long lines of `show` are shortened, as the
docs say. The JSON record of the export contract in docs/export.md is refreshed too.
tests/docs.rs checks that every such example still prints what it shows.
"""
import glob
import json
import os
import re
import shlex
import subprocess
import sys

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/arshif"
FILES = ["README.md", "ARCHITECTURE.md"] + sorted(glob.glob("docs/*.md"))


def run(cmd):
    args = shlex.split(cmd)
    assert args[0] == "arshif"
    out = subprocess.run([BIN] + args[1:], capture_output=True, text=True, check=True).stdout
    return out.rstrip("\n")


def shorten(text):
    lines = text.split("\n")[:8]
    return "\n".join(l if len(l) <= 110 or l.startswith("http") else l[:110] + "…" for l in lines)


def refresh(text):
    lines = text.split("\n")
    out, i, fence = [], 0, None  # fence: the indentation of the open fence, or None
    while i < len(lines):
        line = lines[i]
        out.append(line)
        i += 1
        if line.lstrip().startswith("```"):
            fence = None if fence is not None else line[: len(line) - len(line.lstrip())]
            continue
        m = re.match(r"^\s*\$ (arshif .*--db archive\.db\.example.*)$", line)
        if fence is None or not m or " redact " in line:
            continue
        cmd = m.group(1)
        result = run(cmd)
        if cmd.startswith("arshif show"):
            result = shorten(result) + "\n(lines shortened here)"
        out.extend((fence + l if l else l) for l in result.split("\n"))
        while (
            i < len(lines)
            and not lines[i].lstrip().startswith("$ ")
            and not lines[i].lstrip().startswith("```")
        ):
            i += 1
        if i < len(lines) and lines[i].lstrip().startswith("$ "):
            out.append("")
    return "\n".join(out)


for path in FILES:
    if not os.path.exists(path):
        continue
    text = open(path, encoding="utf-8").read()
    new = refresh(text)
    if path == "docs/export.md":
        # The JSON record of the export contract.
        records = [json.loads(l) for l in run("arshif export --db archive.db.example").split("\n")]
        rec = next(r for r in records if r["url"].endswith("1188.html") and r["version"] == 1)
        rec["body"] = rec["body"][:60] + "…"
        sample = json.dumps(rec, ensure_ascii=False, separators=(", ", ": "))
        new = re.sub(
            r"(A real record, from `archive.db.example` \(body shortened\):\n\n```json\n).*?(\n```)",
            lambda m: m.group(1) + sample + m.group(2),
            new,
            flags=re.S,
        )
    if new != text:
        open(path, "w", encoding="utf-8").write(new)
        print(f"refreshed {path}")
