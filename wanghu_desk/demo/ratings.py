"""The finalized star rating of the previous year, scores split so that the target star
distribution comes out."""

from __future__ import annotations

import datetime as dt
import json

from models import Rating, RatingCriterion, RatingRound, RatingScheme, RatingScore
from wanghu_desk.demo._base import _BuilderBase
from wanghu_desk.demo.data import STAR_COUNTS, VETOES
from wanghu_desk.rating_rules import DEFAULT_CAPS, DEFAULT_CRITERIA, DEFAULT_THRESHOLDS_CP, stars_for


class _Rating(_BuilderBase):
    """Builder part: the previous year's star rating."""

    def split_points(self, total: int, maxima: list[int]) -> list[int]:
        """Points per item (multiples of 50 cp, within each maximum) that sum to `total`."""
        rng = self.rng
        ratio = total / sum(maxima)
        points = []
        for top in maxima:
            share = min(1.0, max(0.0, ratio + rng.gauss(0, 0.07)))
            points.append(min(top, int(round(top * share / 50)) * 50))
        diff = total - sum(points)
        while diff:
            step = 50 if diff > 0 else -50
            room = [k for k, p in enumerate(points) if 0 <= p + step <= maxima[k]]
            k = rng.choice(room)
            points[k] += step
            diff -= step
        return points

    def build_rating(self) -> None:
        rng, today = self.rng, self.today
        year = today.year - 1
        scheme = self.add(RatingScheme, {
            "name": f"{year}年度星级党支部评定标准",
            "thresholds_json": json.dumps({str(k): v for k, v in DEFAULT_THRESHOLDS_CP.items()}),
            "caps_json": json.dumps({str(k): v for k, v in DEFAULT_CAPS.items()}),
            "note": "百分制：五星 90 分以上，四星 80 分以上，三星 70 分以上，二星 60 分以上，一星 50 分以上；"
                    "五星党支部不超过 10%。",
            "created_at": self.stamp(dt.date(year, 12, 10) if dt.date(year, 12, 10) < today else today),
        })
        criteria = []
        for k, c in enumerate(DEFAULT_CRITERIA):
            criteria.append(self.add(RatingCriterion, {
                "scheme": scheme["id"], "kind": c.kind, "dimension": c.dimension, "item": c.item,
                "max_cp": c.max_cp, "sort_order": k + 1,
            }))
        score_rows = [r for r in criteria if r["kind"] == "score"]
        maxima = [r["max_cp"] for r in score_rows]

        start = dt.date(today.year, 3, rng.randint(6, 16))
        if start + dt.timedelta(days=6) > today:
            start = today - dt.timedelta(days=10)
        end = start + dt.timedelta(days=5)
        finalized_on = end + dt.timedelta(days=1)
        rnd = self.add(RatingRound, {
            "year": year, "scheme": scheme["id"], "status": "finalized",
            "publicity_start": start, "publicity_end": end,
            "finalized_at": f"{finalized_on.isoformat()}T10:30:00", "finalized_by": "admin",
        })
        self.rating_round = rnd
        self.finalized_on = finalized_on

        for p in self.branches:
            base = 0.76 if p.category == "estate" else 0.66 if p.category in ("agency", "functional", "grid") else 0.55
            p.quality = base + rng.gauss(0, 0.1)
        small = [p for p in self.branches if p.category in ("enterprise", "social_org")]
        vetoed = {p.id: reason for p, reason in zip(sorted(rng.sample(small, VETOES), key=lambda p: p.id),
                                                    ("三年未发展党员", "严重违法违纪"))}
        ranked = sorted((p for p in self.branches if p.id not in vetoed), key=lambda p: (-p.quality, p.id))
        bands = {5: (9000, 9750), 4: (8000, 8950), 3: (7000, 7950), 2: (6000, 6950), 1: (5000, 5950),
                 0: (3800, 4950)}
        targets: dict[int, int] = {}
        pos = 0
        for star in (5, 4, 3, 2, 1, 0):
            for p in ranked[pos : pos + STAR_COUNTS[star]]:
                targets[p.id] = star
            pos += STAR_COUNTS[star]
        self.stars: dict[int, int] = {}
        for p in self.branches:
            is_vetoed = p.id in vetoed
            if is_vetoed:
                total = rng.randint(120, 150) * 50
            else:
                low, high = bands[targets[p.id]]
                total = rng.randint(low // 50, high // 50) * 50
            stars = stars_for(total, is_vetoed)
            assert is_vetoed or stars == targets[p.id]
            self_total = min(10000, total + rng.choice((0, 0, 100, 200, 300, 500)))
            rating = self.add(Rating, {
                "round": rnd["id"], "branch": p.id, "self_stars": stars_for(self_total, False),
                "vetoed": is_vetoed, "veto_reason": vetoed.get(p.id), "total_cp": total, "stars": stars,
                "cap_decision": None,
                "note": "经街道党工委审定，一票否决" if is_vetoed else None,
            })
            self.stars[p.id] = stars
            stages = [("self", self_total), ("street", total)]
            if p.community is not None:
                stages.insert(1, ("community", min(10000, max(0, total + rng.choice((-100, 0, 0, 50, 100))))))
            for stage, stage_total in stages:
                for crit, points in zip(score_rows, self.split_points(stage_total, maxima)):
                    self.add(RatingScore, {"rating": rating["id"], "criterion": crit["id"], "stage": stage,
                                           "points_cp": points})
