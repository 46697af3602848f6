#!/usr/bin/env python3
"""Scores `arshif extract` on one half of the public benchmark, to check for overfitting.

Usage: scripts/score-halves.py even|odd|all [BIN] [N_WORST]
The halves are the pages at even and odd positions in sorted file-name order (development
happens on the even half). Uses ../shared/tools/score-extraction's own metric.
"""
import importlib.machinery
import importlib.util
import json
import pathlib
import subprocess
import sys
import tempfile
import gzip

SHARED = pathlib.Path(__file__).resolve().parent.parent.parent / "shared"
loader = importlib.machinery.SourceFileLoader("score", str(SHARED / "tools" / "score-extraction"))
spec = importlib.util.spec_from_loader("score", loader)
score = importlib.util.module_from_spec(spec)
loader.exec_module(score)

half = sys.argv[1] if len(sys.argv) > 1 else "even"
binary = sys.argv[2] if len(sys.argv) > 2 else "target/release/arshif"
worst = int(sys.argv[3]) if len(sys.argv) > 3 else 10
data = SHARED / "benchmarks" / "article-extraction"
gt = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
ids = sorted(gt)
chosen = [k for i, k in enumerate(ids) if half == "all" or (i % 2 == 0) == (half == "even")]
tmp = pathlib.Path(tempfile.mkdtemp(prefix="halves-"))
files = []
for k in chosen:
    f = tmp / f"{k}.html"
    f.write_bytes(gzip.decompress((data / "html" / f"{k}.html.gz").read_bytes()))
    files.append(str(f))
out = subprocess.run([binary, "extract", "--format", "jsonl", *files], capture_output=True, text=True, check=True).stdout
pred = score.from_jsonl(out.splitlines())
truth = {k: gt[k].get("articleBody", "") for k in chosen}
f1, p, r, per_page = score.score(truth, pred)
for k, v in sorted(per_page.items(), key=lambda kv: kv[1])[:worst]:
    print(f"  worst  F1 {v:.3f}  {k[:12]}  {gt[k].get('url', '')}")
print(f"{half} half: F1 {f1:.3f}  precision {p:.3f}  recall {r:.3f}  on {len(chosen)} pages")
