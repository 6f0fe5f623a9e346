#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-3.0-or-later
"""A flame graph (PNG) of `perf script` output: each sample's call stack,
root at the bottom, a frame as wide as the share of samples under it.

    perf script -i X.data | bench/flamegraph.py --title T [--focus DSO] OUT.png

--focus DSO keeps only the samples that pass through DSO (a shared object
name, e.g. libfsalunified.so) and roots each at its first frame there: where
that object's own share of the CPU goes, callees (libc, the kernel) included.
Debian packages no flame-graph renderer; this one needs python3-matplotlib.
"""
import argparse
import re
import sys
import zlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

# "\t    7f12a4b0 mdb_cursor_put+0x1d (/usr/lib/.../liblmdb.so.0.0.0)"
FRAME = re.compile(r"^\s+[0-9a-f]+\s+(.*?)\s+\((.*)\)$")


def frame_name(sym, dso):
    dso = dso.rsplit("/", 1)[-1]
    sym = re.sub(r"\+0x[0-9a-f]+$", "", sym)
    if sym != "[unknown]":
        return sym
    return dso if dso.startswith("[") else f"[{dso}]"


def stacks(lines):
    """Each sample's frames, (name, dso), leaf first."""
    frames = []
    for line in lines:
        m = FRAME.match(line)
        if m:
            frames.append((frame_name(*m.groups()), m.group(2)))
        elif not line.strip() and frames:
            yield frames
            frames = []
    if frames:
        yield frames


def collapse(samples, focus):
    """Root-first stacks and how many samples ended in each."""
    counts = {}
    for frames in samples:
        frames = frames[::-1]
        if focus:
            first = next((i for i, (_, dso) in enumerate(frames) if focus in dso), None)
            if first is None:
                continue
            frames = frames[first:]
        # A frame repeated in a row (recursion, or an unwinder lost in
        # code without frame pointers) is drawn once.
        key = tuple(name for i, (name, _) in enumerate(frames) if i == 0 or frames[i - 1][0] != name)
        counts[key] = counts.get(key, 0) + 1
    return counts


def tree(counts):
    """Nested {name: [samples, children]} of the collapsed stacks."""
    root = [0, {}]
    for path, n in counts.items():
        root[0] += n
        node = root
        for name in path:
            node = node[1].setdefault(name, [0, {}])
            node[0] += n
    return root


def color(name):
    """Warm, fixed per name: the same function looks the same in every graph."""
    h = zlib.crc32(name.encode())
    return (0.85 + (h % 15) / 100, 0.3 + (h >> 8) % 50 / 100, 0.1 + (h >> 16) % 20 / 100)


def draw(ax, node, x, depth, total, width_min):
    """Children side by side above their parent, widest first."""
    for name, (n, children) in sorted(node[1].items(), key=lambda c: -c[1][0]):
        w = n / total
        if w >= width_min:
            ax.add_patch(Rectangle((x, depth), w, 0.95, fc=color(name), ec="white", lw=0.3))
            if w > 0.04:
                label = name if len(name) * 0.0065 < w else name[: int(w / 0.0065) - 2] + ".."
                ax.text(x + 0.002, depth + 0.45, label, va="center", fontsize=6.5, clip_on=True)
            draw(ax, [n, children], x, depth + 1, total, width_min)
        x += w


def depth_of(node, total, width_min):
    kids = [depth_of(c, total, width_min) for c in node[1].values() if c[0] / total >= width_min]
    return 1 + max(kids, default=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--title", default="")
    ap.add_argument("--focus", help="only samples through this shared object")
    ap.add_argument("--min", type=float, default=0.002, help="narrowest frame drawn (share)")
    args = ap.parse_args()
    root = tree(collapse(stacks(sys.stdin), args.focus))
    if not root[0]:
        sys.exit("flamegraph: no samples" + (f" through {args.focus}" if args.focus else ""))
    depth = depth_of(root, root[0], args.min)
    fig, ax = plt.subplots(figsize=(16, 0.22 * depth + 1))
    draw(ax, root, 0.0, 0, root[0], args.min)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, depth)
    ax.set_yticks([])
    ax.set_xlabel(f"share of {root[0]} samples")
    ax.set_title(args.title, fontsize=10)
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)


if __name__ == "__main__":
    main()
