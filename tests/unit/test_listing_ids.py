"""listing.ids_in: a column among a list of ids bound as one parameter, on either database."""
import pytest
from sqlalchemy import bindparam, select

from tests.factories import make_member, make_programme
from trainer.extensions import db
from trainer.models import Membership
from trainer.services.system import listing

_AMONG = (select(Membership.id).where(listing.ids_in(Membership.id), Membership.programme_id == bindparam("p"))
          .order_by(Membership.id))


@pytest.mark.parametrize("pick", [[], [0], [0, 2], [2, 0, 2], list(range(60))])
def test_ids_in_keeps_exactly_the_rows_whose_id_is_listed(app, pick):
    programme = make_programme()
    ids = [make_member(programme).id for _ in range(60)]
    wanted = [ids[i] for i in pick] + [10**9]  # an id nobody has matches nothing
    found = db.session.scalars(_AMONG, {"ids": wanted, "p": programme.id}).all()
    assert found == sorted({ids[i] for i in pick})
