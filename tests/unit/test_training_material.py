"""Who may see the training material: never a comparison-arm participant with no other place."""
import pytest

from tests.factories import make_member, make_programme, make_user
from trainer.errors import PermissionDenied
from trainer.services.accounts import access


@pytest.mark.parametrize("places, admin, sees", [
    ([("participant", "comparison")], False, False),
    ([("participant", "comparison"), ("participant", "comparison")], False, False),
    ([("participant", "comparison")], True, True),
    ([("participant", "comparison"), ("participant", "intervention")], False, True),
    ([("participant", "comparison"), ("trainer", None)], False, True),
    ([("participant", "intervention")], False, True),
    ([("lead", None)], False, True),
    ([], False, True),
])
def test_comparison_participants_alone_do_not_see_training_material(app, places, admin, sees):
    user = make_user(is_admin=admin)
    for role, arm in places:
        make_member(make_programme(), role, user=user, **({"arm": arm} if arm else {}))
    assert access.sees_training_material(user) is sees
    if sees:
        access.require_training_material(user)
    else:
        with pytest.raises(PermissionDenied, match="comparison group"):
            access.require_training_material(user)
