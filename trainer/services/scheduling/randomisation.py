"""Stratified permuted-block randomisation: a pure function of the people, their strata and a seed."""
import random
from dataclasses import dataclass

ALGORITHM = "stratified-permuted-blocks"
VERSION = "1"
BLOCK_SIZES = (2, 4, 6)
NO_STRATUM = "No team"


@dataclass(frozen=True)
class Allocated:
    """One line of the allocation list: who got which arm, in which stratum and block."""

    membership_id: int
    arm: str
    stratum: str
    block: int


def stratified_blocks(strata: dict[int, str | None], seed: str, arms: tuple[str, ...],
                      block_sizes: tuple[int, ...] = BLOCK_SIZES) -> list[Allocated]:
    """Allocate each membership id to an arm in permuted blocks within its stratum.

    ``strata`` maps membership id to its stratum (e.g. team; None is its own stratum). Within a
    stratum the ids are put in a random order, then filled block by block: each block's size is
    drawn from ``block_sizes`` (multiples of the number of arms) and holds each arm equally
    often in a random order. So within every stratum the arms differ by at most half the
    largest block. The result depends only on the ids, their strata, the seed and the
    arguments: the same input always gives the same allocation, in stratum then entry order.
    """
    if any(size % len(arms) for size in block_sizes):
        raise ValueError("Every block size must be a multiple of the number of arms")
    rng = random.Random(f"{ALGORITHM}:{VERSION}:{seed}")
    by_stratum: dict[str, list[int]] = {}
    for mid, stratum in strata.items():
        by_stratum.setdefault(stratum or NO_STRATUM, []).append(mid)
    result = []
    for stratum in sorted(by_stratum):
        ids = sorted(by_stratum[stratum])
        rng.shuffle(ids)
        block, position = 0, 0
        while position < len(ids):
            block += 1
            size = rng.choice(block_sizes)
            sequence = [arms[i % len(arms)] for i in range(size)]
            rng.shuffle(sequence)
            for mid, arm in zip(ids[position:position + size], sequence):
                result.append(Allocated(mid, arm, stratum, block))
            position += size
    return result
