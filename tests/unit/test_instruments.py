"""Instrument files: validation naming file and field, scoring rules on worked examples."""
from pathlib import Path

import pytest
from sqlalchemy import select

from trainer.extensions import db
from trainer.models import InstrumentItemText
from trainer.services.outcomes import instruments
from trainer.services.outcomes.instruments import InstrumentError

BRS_BAND_CASES = [(2.99, "Low resilience"), (3.0, "Normal resilience"), (4.3, "Normal resilience"),
                  (4.31, "High resilience")]


def _answers(**by_item):
    return {int(k[1:]): v for k, v in by_item.items()}


def test_every_shipped_instrument_is_valid():
    catalogue = instruments.load_directory(instruments.INSTRUMENTS_DIR)
    assert set(catalogue) == {"brs", "scs-sf", "gse", "proqol5", "wemwbs", "ghq12", "mbi-hss",
                              "eses", "gras"}
    for instrument in catalogue.values():
        assert instrument.version and instrument.citation and instrument.licence


def test_only_freely_reproducible_instruments_ship_their_wording():
    catalogue = instruments.catalogue()
    assert {k for k, i in catalogue.items() if i.items} == {"brs", "scs-sf", "gse"}


def test_brs_reverses_items_2_4_6_and_takes_the_mean():
    brs = instruments.get("brs")
    # Raw 4,2,4,2,4,2 -> scored 4,4,4,4,4,4.
    [total] = instruments.score(brs, {1: 4, 2: 2, 3: 4, 4: 2, 5: 4, 6: 2})
    assert total.value == 4.0 and total.band == "Normal resilience"
    [worst] = instruments.score(brs, {1: 1, 2: 5, 3: 1, 4: 5, 5: 1, 6: 5})
    assert worst.value == 1.0 and worst.band == "Low resilience"


def test_brs_scores_with_one_item_missing_but_not_two():
    brs = instruments.get("brs")
    [one] = instruments.score(brs, {1: 5, 2: 1, 3: 5, 4: 1, 5: 3})
    assert one.value == pytest.approx(4.6) and one.answered == 5
    [two] = instruments.score(brs, {1: 5, 2: 1, 3: 5, 4: 1})
    assert two.value is None and two.band is None


@pytest.mark.parametrize("value, band", BRS_BAND_CASES)
def test_brs_bands_follow_the_published_cut_points(value, band):
    scale = instruments.get("brs").scale("total")
    assert next(b.label for b in scale.bands if instruments._in_band(value, b)) == band


def test_scs_sf_total_and_subscales_reverse_the_negative_items():
    scs = instruments.get("scs-sf")
    # Positive items answered 5, negative items answered 1: every scored value is 5.
    negative = {1, 4, 8, 9, 11, 12}
    answers = {i: (1 if i in negative else 5) for i in range(1, 13)}
    scores = {s.scale_key: s.value for s in instruments.score(scs, answers)}
    assert scores == {k: 5.0 for k in ("total", "self-kindness", "self-judgment", "common-humanity",
                                        "isolation", "mindfulness", "over-identification")}
    answers[2] = 3  # self-kindness item: (3 + 5) / 2; total (11 * 5 + 3) / 12
    scores = {s.scale_key: s.value for s in instruments.score(scs, answers)}
    assert scores["self-kindness"] == 4.0 and scores["total"] == pytest.approx(58 / 12, abs=1e-6)


def test_scs_sf_subscale_needs_both_items_while_total_allows_two_missing():
    scs = instruments.get("scs-sf")
    answers = {i: 3 for i in range(3, 13)}  # items 1 and 2 skipped
    scores = {s.scale_key: s.value for s in instruments.score(scs, answers)}
    assert scores["total"] == 3.0
    assert scores["self-kindness"] is None and scores["over-identification"] is None
    del answers[3]
    assert instruments.score_scale(scs, scs.scale("total"), answers).value is None


def test_gse_sums_and_prorates_up_to_three_missing_items():
    gse = instruments.get("gse")
    assert instruments.score(gse, {i: 3 for i in range(1, 11)})[0].value == 30
    seven = {i: 4 for i in range(1, 8)}
    assert instruments.score(gse, seven)[0].value == 40  # mean 4 x 10 items
    assert instruments.score(gse, {i: 4 for i in range(1, 7)})[0].value is None


def test_proqol_burnout_reverses_five_items_and_flags_the_high_band():
    proqol = instruments.get("proqol5")
    answers = {i: 5 for i in range(1, 31)}
    scores = {s.scale_key: s for s in instruments.score(proqol, answers)}
    # Burnout: items 1, 4, 15, 17, 29 reversed (5 -> 1): 5 x 1 + 5 x 5 = 30, moderate.
    assert scores["burnout"].value == 30 and scores["burnout"].band == "Moderate"
    assert not scores["burnout"].high_risk
    assert scores["secondary-traumatic-stress"].value == 50
    assert scores["secondary-traumatic-stress"].high_risk
    assert scores["compassion-satisfaction"].value == 50
    assert not scores["compassion-satisfaction"].high_risk  # high satisfaction is not a risk
    answers.update({1: 1, 4: 1, 15: 1, 17: 1, 29: 1})
    burnout = instruments.score_scale(proqol, proqol.scale("burnout"), answers)
    assert burnout.value == 50 and burnout.high_risk


def test_mbi_subscales_sum_their_own_items():
    mbi = instruments.get("mbi-hss")
    answers = {i: 0 for i in range(1, 23)}
    answers.update({1: 6, 5: 6, 4: 6})
    scores = {s.scale_key: s.value for s in instruments.score(mbi, answers)}
    assert scores == {"emotional-exhaustion": 6, "depersonalisation": 6, "personal-accomplishment": 6}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_validation_names_the_file_and_the_field(tmp_path):
    _write(tmp_path, "broken.toml", """
key = "Bad Key"
title = "Broken"
version = "1"
citation = "x"
licence = "x"
instructions = "x"
item_count = 3
reverse = [4]
colour = "blue"
options = [{ value = 1, label = "No" }, { value = 2, label = "Yes" }]
[[scales]]
key = "total"
title = "Total"
items = [1, 2, 3]
method = "median"
max_missing = 0
higher_is = "better"
bands = [{ label = "Low", min = 1, max = 2 }, { label = "High", min = 1.5, max = 3 }]
""")
    with pytest.raises(InstrumentError) as exc:
        instruments.load_directory(tmp_path)
    text = str(exc.value)
    for expected in ("broken.toml: key: must be lowercase",
                     "broken.toml: reverse: item numbers must be from 1 to item_count (3)",
                     "broken.toml: colour: is not a known setting",
                     "broken.toml: scales[1].method: must be sum or mean",
                     "broken.toml: scales[1].bands: bands must not overlap"):
        assert expected in text


def test_validation_reports_bad_toml_and_wrong_item_count(tmp_path):
    _write(tmp_path, "a.toml", "key = ")
    text = open(instruments.INSTRUMENTS_DIR / "brs.toml").read().replace("item_count = 6", "item_count = 7")
    _write(tmp_path, "b.toml", text)
    with pytest.raises(InstrumentError) as exc:
        instruments.load_directory(tmp_path)
    assert "a.toml: (file): is not valid TOML" in str(exc.value)
    assert "b.toml: items: must list the wording of all 7 items" in str(exc.value)


def test_licence_holder_loads_item_wording_from_a_file(app, tmp_path, runner):
    wemwbs = instruments.get("wemwbs")
    assert instruments.item_texts(wemwbs) is None
    items = ", ".join(f'"Licensed statement {i}."' for i in range(1, 15))
    path = _write(tmp_path, "wemwbs-items.toml", f'key = "wemwbs"\nitems = [{items}]\n')
    result = runner.invoke(args=["load-instrument-items", str(path)])
    assert result.exit_code == 0, result.output
    assert "Loaded the wording of 14 items" in result.output
    texts = instruments.item_texts(wemwbs)
    assert texts[0] == "Licensed statement 1." and len(texts) == 14
    assert db.session.scalar(select(InstrumentItemText).where(InstrumentItemText.number == 14))


def test_loading_item_wording_refuses_a_wrong_count_or_a_shipped_instrument(app, tmp_path, runner):
    path = _write(tmp_path, "short.toml", 'key = "ghq12"\nitems = ["one", "two"]\n')
    result = runner.invoke(args=["load-instrument-items", str(path)])
    assert result.exit_code == 1
    assert "short.toml: items: must list the wording of all 12 items" in result.output
    path = _write(tmp_path, "brs.toml", 'key = "brs"\nitems = ["x"]\n')
    with pytest.raises(InstrumentError, match="brs ships its own wording"):
        instruments.load_item_text(path)
    assert db.session.scalar(select(InstrumentItemText)) is None


def test_every_reliability_is_a_proportion_with_its_source_and_ghq12_has_none():
    for instrument in instruments.catalogue().values():
        for scale in instrument.scales:
            if scale.reliability is not None:
                assert 0 < scale.reliability < 1
                assert len(scale.reliability_source) > 40
    assert instruments.get("ghq12").scale("total").reliability is None
    assert instruments.get("scs-sf").scale("self-kindness").reliability is None
    assert instruments.get("mbi-hss").scale("emotional-exhaustion").reliability == 0.90
    assert instruments.get("brs").scale("total").reliability == 0.80


def test_validation_refuses_a_reliability_without_source_or_out_of_range(tmp_path):
    text = open(instruments.INSTRUMENTS_DIR / "brs.toml").read()
    _write(tmp_path, "a.toml", text.replace("reliability = 0.8", "reliability = 1.2"))
    _write(tmp_path, "b.toml", text.replace('key = "brs"', 'key = "brs-b"').replace("reliability_source", "x_source"))
    with pytest.raises(InstrumentError) as exc:
        instruments.load_directory(tmp_path)
    assert "a.toml: scales[1].reliability: must be a number between 0 and 1" in str(exc.value)
    assert "b.toml: scales[1].reliability_source: must cite where the reliability was published" in str(exc.value)


def test_eses_loads_without_wording_and_scores_the_mean_of_32_items():
    eses = instruments.get("eses")
    assert eses.items is None and eses.item_count == 32 and (eses.low, eses.high) == (1, 5)
    assert "Kirk, B. A., Schutte, N. S., & Hine, D. W. (2008)" in eses.citation
    answers = {i: (5 if i <= 16 else 3) for i in range(1, 33)}
    [total] = instruments.score(eses, answers)
    assert total.value == 4.0 and total.band is None
    del answers[1], answers[2], answers[3]
    assert instruments.score(eses, answers)[0].value == pytest.approx((13 * 5 + 16 * 3) / 29)
    del answers[4]
    assert instruments.score(eses, answers)[0].value is None


def test_gras_loads_without_wording_and_sums_23_items_prorating_two_missing():
    gras = instruments.get("gras")
    assert gras.items is None and gras.item_count == 23 and "Aukes" in gras.citation
    assert "NOT verified" in gras.licence
    [total] = instruments.score(gras, {i: 4 for i in range(1, 24)})
    assert total.value == 92
    [prorated] = instruments.score(gras, {i: 5 for i in range(3, 24)})
    assert prorated.value == 115 and prorated.answered == 21
    assert instruments.score(gras, {i: 5 for i in range(4, 24)})[0].value is None
