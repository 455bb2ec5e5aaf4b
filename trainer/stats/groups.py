"""Group sizes for disclosure control: the threshold, small-group merging and shown parts."""
from collections.abc import Hashable, Mapping

from trainer.stats._common import SMALL_CELL


def is_small(n: int, threshold: int = SMALL_CELL) -> bool:
    """True when a group of n respondents is too small for any statistic of its responses.

    A statistic of nobody has nothing to show, so 0 counts as small here.
    """
    return n < threshold


def merge_small_groups(sizes: Mapping[Hashable, int], threshold: int = SMALL_CELL,
                       ) -> tuple[list[Hashable], list[Hashable]]:
    """Split groups into those shown on their own and those merged into one "other" group.

    Groups of ``threshold`` or more stand alone; smaller ones (and empty ones) are merged; both
    lists keep the mapping's order. While the merged group holds 1 to threshold - 1 people, the smallest
    standing group joins it (ties: the last in order). So every part has 0 or at least
    ``threshold`` people: a breakdown that shows every part can never be differenced into a
    smaller group. When a lone part would remain it is merged too (a breakdown of one part
    is no breakdown): the result is then ([], every key).
    """
    own = [k for k, n in sizes.items() if n >= threshold]
    merged = [k for k in sizes if k not in own]
    while own and 0 < sum(sizes[k] for k in merged) < threshold:
        smallest = min(reversed(own), key=lambda k: sizes[k])
        own.remove(smallest)
        merged.append(smallest)
    if len(own) == 1 and not sum(sizes[k] for k in merged):
        own = []
    return own, [k for k in sizes if k not in own]


def shown_parts(counts: Mapping[Hashable, int], threshold: int = SMALL_CELL) -> set:
    """Parts of a partition whose statistic may be shown beside the total's.

    A part is shown when it has ``threshold`` or more respondents, and the parts not shown have
    together 0 or at least ``threshold``: otherwise the total minus the shown parts would give
    the few others away, so the smallest shown parts are withdrawn until that holds (ties: the
    last in order). Whole groups are withdrawn, never single cells of a distribution.
    """
    shown = [k for k, c in counts.items() if c >= threshold]
    rest = sum(c for k, c in counts.items() if k not in shown)
    while shown and 0 < rest < threshold:
        smallest = min(reversed(shown), key=lambda k: counts[k])
        shown.remove(smallest)
        rest += counts[smallest]
    return set(shown)
