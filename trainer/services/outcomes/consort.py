"""The CONSORT diagram: withdrawal and loss-to-follow-up stages of the flow, laid out as SVG boxes."""
from dataclasses import dataclass, field

from trainer.models import Membership
from trainer.services.outcomes.retention import CATEGORY_LABELS

ARMS = ("intervention", "comparison")
STILL_IN_POST = "Did not answer, reason not known"
WIDTH, COLUMN, GAP, LINE, PAD = 700, 330, 40, 22, 12
# Labels inside the diagram's boxes, short enough to fit a column.
SHORT = {"withdrawn_kept": "Answers kept, marked withdrawn", "withdrawn_deleted": "Answers deleted",
         "lost": "In all", "lost_no_answer": "No answer, reason not known",
         **{f"lost_{key}": f"Left: {label[0].lower()}{label[1:]}" for key, label in CATEGORY_LABELS.items()}}


def people(m) -> int:
    """How many people ``m`` stands for: one participant, or a group of participants sharing the
    facts counted (``evaluation.FlowGroup``), who carry their number."""
    return getattr(m, "people", 1)


def withdrawn_counts(members: list[Membership]) -> list[tuple[str, str, dict[str, int]]]:
    """(key, label, {arm: count}) of withdrawals, answers kept and answers deleted. ``members``
    are participants or groups of them (``people``)."""
    def count(kept: bool) -> dict[str, int]:
        return {arm: sum(people(m) for m in members if m.arm == arm and m.withdrawn_on is not None
                         and bool(m.answers_kept) == kept) for arm in ARMS}
    return [("withdrawn_kept", "Withdrawn in all, answers kept (marked withdrawn)", count(True)),
            ("withdrawn_deleted", "Withdrawn in all, answers deleted", count(False))]


def lost_counts(members: list[Membership], later: set[int]) -> list[tuple[str, str, dict[str, int]]]:
    """(key, label, {arm: count}) of people lost to follow-up: allocated, not withdrawn, with no
    answer to any wave after baseline; first the total, then by reason (where leavers went, from
    the leaver categories, or no answer while in post). Reasons nobody has are left out.
    ``members`` are participants or groups of them (``people``)."""
    lost = [m for m in members if m.arm in ARMS and m.withdrawn_on is None and m.id not in later]
    rows = [("lost", "Lost to follow-up (no answer after training)",
             {arm: sum(people(m) for m in lost if m.arm == arm) for arm in ARMS})]
    reasons = {f"lost_{key}": f"Left post: {label.lower()}" for key, label in CATEGORY_LABELS.items()}
    reasons["lost_no_answer"] = STILL_IN_POST
    for key, label in reasons.items():
        counts = {arm: sum(people(m) for m in lost if m.arm == arm and _reason(m) == key) for arm in ARMS}
        if any(counts.values()):
            rows.append((key, label, counts))
    return rows


def _reason(m: Membership) -> str:
    return "lost_no_answer" if m.in_post else f"lost_{m.leaver_category or 'other_unknown'}"


@dataclass
class Line:
    """One line of text in a box; ``count`` (with its stage key and arm) is the number shown."""

    label: str
    count: int | str | None = None
    key: str = ""
    arm: str = ""


@dataclass
class Box:
    """A box of the diagram at (x, y) with its lines of text."""

    x: int
    y: int
    width: int
    lines: list[Line] = field(default_factory=list)

    @property
    def height(self) -> int:
        """Room for every line with padding."""
        return PAD * 2 + LINE * len(self.lines)


@dataclass
class Diagram:
    """The laid-out diagram: boxes, arrows (x1, y1, x2, y2) and the drawing's size."""

    boxes: list[Box]
    arrows: list[tuple[int, int, int, int]]
    width: int
    height: int


# (stage keys drawn in one box, its heading) per row of the diagram, top to bottom.
ROWS = ((("allocated",), "Allocated"),
        (("trained",), "Received the training (1 day or more)"),
        (("withdrawn_kept", "withdrawn_deleted"), "Withdrawn"),
        (None, "Lost to follow-up"),
        (("analysed",), "Analysed (baseline and a later wave)"))
ARM_LABELS = {"intervention": "Intervention group", "comparison": "Comparison group"}


def diagram(boxes) -> Diagram:
    """Lay out the flow's boxes (``evaluation.flow``) as a CONSORT diagram: enrolled on top, then
    one column per arm. Every count is the flow table's own number (nothing is suppressed:
    these are counts of what people did)."""
    by_key = {b.key: b for b in boxes if b.key}
    enrolled = Box((WIDTH - COLUMN) // 2, 0, COLUMN,
                   [Line("Enrolled", by_key["enrolled"].counts["all"], "enrolled", "all")])
    drawn, arrows = [enrolled], []
    above = {arm: enrolled for arm in ARMS}
    top = enrolled.y + enrolled.height + GAP
    for keys, heading in ROWS:
        if keys is None:
            keys = tuple(k for k in by_key if k.startswith("lost"))
        row = {}
        for column, arm in enumerate(ARMS):
            lines = [Line(heading if keys[0] != "allocated" else f"{ARM_LABELS[arm]}: allocated")]
            lines += [Line(SHORT.get(k, "People"), by_key[k].counts[arm], k, arm)
                      for k in keys if k in by_key]
            row[arm] = Box(column * (WIDTH - COLUMN), top, COLUMN, lines)
        for arm, box in row.items():
            source = above[arm]
            arrows.append((source.x + source.width // 2, source.y + source.height,
                           box.x + box.width // 2, box.y))
        drawn += row.values()
        above = row
        top += max(b.height for b in row.values()) + GAP
    return Diagram(drawn, arrows, WIDTH, top - GAP + 2)
