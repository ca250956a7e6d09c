#!/usr/bin/env python3
"""Plans scaling one service from N to M replicas with the fewest moves.

Reads the partition map (the JSON render.py reads and prints: {"service":
[[[first, last], ...] per ordinal], ...}) and writes, for one service and a
new replica count M:
- the moves: which partitions go from which ordinal to which, as ranges,
  in the order to run them (`homewardctl move`, one line each);
- the new partition map (--out), for render.py --partitions-file.

    python3 deploy/kubernetes/render.py --print-partitions > map.json
    python3 deploy/kubernetes/scale_plan.py map.json assessment 3 --out new.json

The plan ends balanced (every ordinal below M owns floor(P/M) or
ceil(P/M) partitions) and moves the fewest partitions that reach a
balanced map: each remaining replica keeps as many of its own partitions
as its share allows (the larger shares go to the replicas that hold the
most), the replicas at ordinals M and above (removed when scaling down)
give away everything, and only the surplus moves, lowest partitions first,
to the replicas short of their share. Growing N to M moves P*(M-N)/M
partitions, the least possible: the new replicas must receive their share.
"""

import argparse
import json
import sys


def shares(counts, total, replicas):
    """The balanced share of each ordinal below `replicas`: the ceil shares
    to those holding the most now (ties: the lower ordinal)."""
    base, extra = divmod(total, replicas)
    order = sorted(range(replicas), key=lambda i: (-counts[i], i))
    share = [base] * replicas
    for i in order[:extra]:
        share[i] += 1
    return share


def plan(owned, replicas):
    """owned: a list per ordinal of the partitions it owns. Returns (moves,
    new_owned): moves as (partition, from, to), new_owned per ordinal
    0..replicas-1."""
    total = sum(len(p) for p in owned)
    current = [sorted(p) for p in owned] + [[]] * max(0, replicas - len(owned))
    counts = [len(p) for p in current]
    share = shares(counts, total, replicas)
    kept = [current[i][:share[i]] for i in range(replicas)]
    surplus = []
    for i, parts in enumerate(current):
        give = parts[share[i]:] if i < replicas else parts
        surplus.extend((p, i) for p in give)
    surplus.sort()
    moves = []
    for i in range(replicas):
        while len(kept[i]) < share[i]:
            partition, source = surplus.pop(0)
            kept[i].append(partition)
            moves.append((partition, source, i))
    return moves, [sorted(k) for k in kept]


def ranges(partitions):
    """Sorted partitions as [[first, last], ...] runs."""
    out = []
    for p in sorted(partitions):
        if out and out[-1][1] == p - 1:
            out[-1][1] = p
        else:
            out.append([p, p])
    return out


def grouped(moves):
    """Moves as (from, to, [[first, last], ...]) in the order of the plan."""
    by_pair = {}
    for partition, source, target in moves:
        by_pair.setdefault((source, target), []).append(partition)
    return [(s, t, ranges(p)) for (s, t), p in by_pair.items()]


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("partitions_file")
    parser.add_argument("service")
    parser.add_argument("replicas", type=int)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    with open(args.partitions_file) as f:
        layout = json.load(f)
    if args.service not in layout:
        parser.error(f"{args.service}: not in {args.partitions_file} "
                     f"({', '.join(layout)})")
    if args.replicas < 1:
        parser.error("replicas: 1 or more")
    owned = [[p for a, b in per for p in range(a, b + 1)]
             for per in layout[args.service]]
    moves, new_owned = plan(owned, args.replicas)
    name = args.service.replace("_", "-")
    for source, target, runs in grouped(moves):
        text = ",".join(f"{a}-{b}" if a != b else f"{a}" for a, b in runs)
        print(f"move {args.service} partitions {text}: {name}-{source} -> "
              f"{name}-{target}")
    print(f"# {len(moves)} partition(s) move", file=sys.stderr)
    if args.out:
        layout[args.service] = [ranges(p) for p in new_owned]
        with open(args.out, "w") as f:
            json.dump(layout, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
