"""Stratified permuted-block randomisation: balanced within each stratum, reproducible from its seed."""
import random
from collections import Counter

import pytest

from trainer.services.scheduling.randomisation import BLOCK_SIZES, stratified_blocks

ARMS = ("intervention", "comparison")


def _strata(seed: int) -> dict[int, str | None]:
    rng = random.Random(seed)
    return {mid: rng.choice(["North", "South", "East", None]) for mid in range(1, rng.randint(5, 60))}


def test_arms_balance_within_each_stratum_over_many_seeds():
    worst = 0
    for seed in range(500):
        strata = _strata(seed)
        allocation = stratified_blocks(strata, f"seed-{seed}", ARMS)
        assert sorted(a.membership_id for a in allocation) == sorted(strata)
        for stratum in {a.stratum for a in allocation}:
            counts = Counter(a.arm for a in allocation if a.stratum == stratum)
            difference = abs(counts["intervention"] - counts["comparison"])
            assert difference <= max(BLOCK_SIZES) // 2
            worst = max(worst, difference)
    assert worst > 1  # block sizes really vary: an alternating scheme would never exceed 1


def test_each_block_holds_each_arm_equally_when_complete():
    allocation = stratified_blocks({mid: "North" for mid in range(1, 101)}, "blocks", ARMS)
    blocks: dict[int, Counter] = {}
    for line in allocation:
        blocks.setdefault(line.block, Counter())[line.arm] += 1
    *complete, last = [blocks[b] for b in sorted(blocks)]
    assert all(c["intervention"] == c["comparison"] for c in complete)
    assert {sum(c.values()) for c in complete} <= set(BLOCK_SIZES)


def test_the_same_seed_gives_the_same_allocation_and_another_seed_another():
    strata = _strata(7)
    reordered = dict(reversed(list(strata.items())))
    first = stratified_blocks(strata, "seed-42", ARMS)
    assert first == stratified_blocks(reordered, "seed-42", ARMS)
    assert first != stratified_blocks(strata, "seed-43", ARMS)


def test_people_without_a_team_form_their_own_stratum_and_block_sizes_must_fit_the_arms():
    allocation = stratified_blocks({1: None, 2: None, 3: "North", 4: "North"}, "s", ARMS)
    assert {a.stratum for a in allocation} == {"No team", "North"}
    with pytest.raises(ValueError):
        stratified_blocks({1: "A"}, "s", ARMS, block_sizes=(3,))
