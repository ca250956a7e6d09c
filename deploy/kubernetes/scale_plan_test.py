#!/usr/bin/env python3
"""Tests of scale_plan.py's plan: balanced, fewest moves, every partition
owned once. Run by validate/validate.sh (python3 scale_plan_test.py)."""

import unittest

from scale_plan import grouped, plan, ranges


def split(total, n):
    return [list(range(total * i // n, total * (i + 1) // n)) for i in range(n)]


class PlanTest(unittest.TestCase):
    def check(self, owned, replicas, expected_moves):
        moves, new = plan(owned, replicas)
        total = sum(len(p) for p in owned)
        with self.subTest(owned=[len(p) for p in owned], replicas=replicas):
            self.assertEqual(len(moves), expected_moves)
            self.assertEqual(len(new), replicas)
            # Every partition owned exactly once, shares balanced.
            self.assertEqual(sorted(p for n in new for p in n),
                             list(range(total)))
            self.assertLessEqual(max(map(len, new)) - min(map(len, new)), 1)
            # A partition that moves goes where the new map puts it, from
            # where it was.
            for partition, source, target in moves:
                self.assertIn(partition, owned[source])
                self.assertIn(partition, new[target])
            # What does not move stays put.
            moved = {m[0] for m in moves}
            for i, parts in enumerate(owned[:replicas]):
                for p in parts:
                    if p not in moved:
                        self.assertIn(p, new[i])
        return moves, new

    def test_table(self):
        cases = [
            # (current per-ordinal counts as an even split, M, moves)
            (split(64, 1), 1, 0),
            (split(64, 2), 2, 0),
            (split(64, 1), 2, 32),
            (split(64, 2), 3, 21),   # 64*(3-2)/3, the new replica's share
            (split(64, 2), 4, 32),
            (split(64, 3), 4, 16),
            (split(64, 3), 2, 22),   # all 22 of the removed replica
            (split(64, 4), 1, 48),
            (split(64, 1), 8, 56),
        ]
        for owned, replicas, expected in cases:
            self.check(owned, replicas, expected)

    def test_larger_shares_stay_with_the_fullest_replicas(self):
        # 22 and 42 partitions, to 2 replicas of 32: only 10 move.
        owned = [list(range(0, 22)), list(range(22, 64))]
        moves, _ = self.check(owned, 2, 10)
        self.assertTrue(all(s == 1 and t == 0 for _, s, t in moves))
        # 21/22/21 to 3: already balanced, nothing moves, whichever ordinal
        # holds the extra partition.
        self.check([list(range(0, 21)), list(range(21, 43)),
                    list(range(43, 64))], 3, 0)

    def test_grow_two_to_three_moves_the_top_of_each_range(self):
        moves, new = self.check(split(64, 2), 3, 21)
        self.assertEqual(grouped(moves),
                         [(0, 2, [[22, 31]]), (1, 2, [[53, 63]])])
        self.assertEqual(ranges(new[0]), [[0, 21]])
        self.assertEqual(ranges(new[1]), [[32, 52]])
        self.assertEqual(ranges(new[2]), [[22, 31], [53, 63]])


if __name__ == "__main__":
    unittest.main()
