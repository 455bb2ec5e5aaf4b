"""Demo step: the demo leavers' categories, as the national workforce statistics count them."""
from trainer.services.outcomes.retention import UNKNOWN

# The demo's leaving reasons (demo_outcomes.LEAVING_REASONS) and the category each falls in.
CATEGORY_OF_REASON = {
    "Moved to another local authority": "another_la",
    "Agency work": "agency",
    "Left social work": "left_profession",
}


def leaver_categories(ctx) -> None:
    """Every demo leaver gets the category of their leaving reason (other or unknown for a
    promotion elsewhere or family reasons)."""
    leavers = [m for m in ctx.participants if not m.in_post]
    for member in leavers:
        member.leaver_category = CATEGORY_OF_REASON.get(member.leaving_reason or "", UNKNOWN)
    ctx.lines.append(f"{len(leavers)} leavers carry the national workforce statistics' leaver "
                     "categories (see Retention).")
