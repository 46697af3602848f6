#!/usr/bin/env python3
"""Refreshes the README's example outputs from archive.db.example.

Usage: scripts/readme-examples.py [BIN]   (default target/release/arshif)

Each block in README.md that starts with a line `$ arshif ... --db archive.db.example` inside a
fenced block is re-run, and its output replaced, up to the next `$ ` line or the fence.
Long lines of `show` are shortened, as the README says.
"""
import json
import re
import shlex
import subprocess
import sys

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/arshif"


def run(cmd):
    args = shlex.split(cmd)
    assert args[0] == "arshif"
    out = subprocess.run([BIN] + args[1:], capture_output=True, text=True, check=True).stdout
    return out.rstrip("\n")


def shorten(text):
    lines = text.split("\n")[:8]
    return "\n".join(l if len(l) <= 110 or l.startswith("http") else l[:110] + "…" for l in lines)


readme = open("README.md", encoding="utf-8").read()
lines = readme.split("\n")
out, i, in_fence = [], 0, False
while i < len(lines):
    line = lines[i]
    out.append(line)
    i += 1
    if line.startswith("```"):
        in_fence = not in_fence
        continue
    m = re.match(r"^\s*\$ (arshif .*--db archive\.db\.example.*)$", line)
    if not (in_fence and m) or " redact " in line:
        continue
    cmd = m.group(1)
    result = run(cmd)
    if cmd.startswith("arshif show"):
        result = shorten(result) + "\n(lines shortened here)"
    out.extend(result.split("\n"))
    while i < len(lines) and not lines[i].lstrip().startswith("$ ") and not lines[i].startswith("```"):
        i += 1
    if i < len(lines) and lines[i].lstrip().startswith("$ "):
        out.append("")
readme = "\n".join(out)

# The JSON record of the export contract.
records = [json.loads(l) for l in run("arshif export --db archive.db.example").split("\n")]
rec = next(r for r in records if r["url"].endswith("1188.html") and r["version"] == 1)
rec["body"] = rec["body"][:60] + "…"
sample = json.dumps(rec, ensure_ascii=False, separators=(", ", ": "))
readme = re.sub(
    r"(A real record, from `archive.db.example` \(body shortened\):\n\n```json\n).*?(\n```)",
    lambda m: m.group(1) + sample + m.group(2),
    readme,
    flags=re.S,
)
open("README.md", "w", encoding="utf-8").write(readme)
