"""The auditor re-runs a final ranking from the inputs and seed stored with it (issue 18): the
same engine gives the same input hash and result ("gelijk"); a tampered stored input shows
"afwijkend" with both hashes."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.roles import AANBIEDER, AUDITOR, BEOORDELAAR, CONTRACTMANAGER, VOORZITTER
from evaluation import ranking as engine
from evaluation.models import Ranking
from evaluation.ranking import BidIn, CriterionIn, SegmentIn, TenderIn
from evaluation.services.rerun import ranking_rerun

pytestmark = pytest.mark.django_db


def _final(tender, phase="selection") -> Ranking:
    return Ranking.objects.get(tender=tender, phase=phase, is_final=True)


def _url(ranking) -> str:
    return reverse("ranking-rerun", args=[ranking.tender.slug, ranking.phase, ranking.pk])


def test_the_stored_inputs_read_back_to_the_same_hash():
    """The engine's document of its inputs reads back (Decimals, sets, optional fields) to
    inputs with the same digest and the same ranking."""

    bid = BidIn(
        bidder="12345678",
        municipalities=frozenset({"0197", "0222"}),
        specialisms=frozenset(),
        general_answers={"A1": True},
        segment_answers={"S1": False},
        final_levels={"K1": Decimal("0.50")},
        individual_levels={"K1": (Decimal("0.75"), Decimal("0.25"))},
    )
    segment = SegmentIn(
        code="JH",
        places=2,
        award_places=None,
        min_total=Decimal("1E+1"),
        coverage_k=1,
        municipalities=("0222", "0197"),
        specialisms=(),
        requirement_codes=("S1",),
        criteria=(CriterionIn("K1", "selection", Decimal("40"), None),),
        bids=(bid,),
    )
    tender = TenderIn("t", "open", ("A1",), (segment,))
    document = engine.inputs_document(
        tender, phase="award", seed=7, finalised_selection={"JH": frozenset({"12345678"})}
    )
    stored = engine.inputs_from_document(json.loads(json.dumps(document, sort_keys=True)))
    assert stored.digest() == engine.inputs_digest(
        tender, phase="award", seed=7, finalised_selection={"JH": frozenset({"12345678"})}
    )
    # the worker takes the hash from the document it stores: the same hash
    assert engine.document_inputs_digest(document) == stored.digest()
    assert stored.rank() == engine.rank_tender(
        tender, phase="award", seed=7, finalised_selection={"JH": frozenset({"12345678"})}
    )


def test_the_auditor_reruns_a_final_ranking_and_sees_it_equal(award_tender, client_for):
    client = client_for(AUDITOR)
    for phase in ("selection", "award"):
        ranking = _final(award_tender, phase)
        assert ranking.inputs["format"] == engine.INPUTS_FORMAT
        response = client.get(_url(ranking))
        rerun = response.context["rerun"]
        assert rerun.equal and rerun.from_stored_inputs
        assert rerun.rerun_input_hash == rerun.stored_input_hash == ranking.input_hash
        assert rerun.rerun_result_hash == engine.document_digest(ranking.result)
        page = response.content.decode()
        assert "gelijk" in page and "afwijkend" not in page
        assert page.count(ranking.input_hash) == 2
    overview = client.get(reverse("ranking-overview", args=[award_tender.slug, "award"]))
    assert _url(_final(award_tender, "award")) in overview.content.decode()


def test_a_tampered_stored_input_shows_afwijkend_with_both_hashes(award_tender, client_for):
    ranking = _final(award_tender)
    inputs = ranking.inputs
    bid = next(b for s in inputs["tender"]["segments"] for b in s["bids"] if b["final_levels"])
    code = next(iter(bid["final_levels"]))
    bid["final_levels"][code] = "0" if bid["final_levels"][code] != "0" else "1"
    Ranking.objects.filter(pk=ranking.pk).update(inputs=inputs)

    response = client_for(AUDITOR).get(_url(ranking))
    rerun = response.context["rerun"]
    assert not rerun.inputs_equal and not rerun.equal
    page = response.content.decode()
    assert "afwijkend" in page
    assert ranking.input_hash in page and rerun.rerun_input_hash in page


def test_a_tampered_stored_result_shows_afwijkend(award_tender):
    ranking = _final(award_tender)
    result = ranking.result
    result["segments"][0]["results"].reverse()
    Ranking.objects.filter(pk=ranking.pk).update(result=result)
    rerun = ranking_rerun(ranking=Ranking.objects.get(pk=ranking.pk))
    assert rerun.inputs_equal and not rerun.result_equal


def _as_version_1(ranking: Ranking) -> tuple[dict, str]:
    """The inputs document and input hash the code before digest version 2 stored."""
    stored = engine.inputs_from_document(ranking.inputs)
    args = {"phase": stored.phase, "seed": stored.seed}
    args["finalised_selection"] = stored.finalised_selection
    return (
        engine.inputs_document_v1(stored.tender, **args),
        engine.inputs_digest_v1(stored.tender, **args),
    )


def test_a_ranking_stored_with_version_1_inputs_still_verifies(award_tender):
    """Rankings finalised before digest version 2 keep their hash: it is verified by the
    version 1 code, chosen by the format of their stored inputs."""
    ranking = _final(award_tender, "award")
    document, digest = _as_version_1(ranking)
    assert document["format"] == engine.INPUTS_FORMAT_V1 and digest != ranking.input_hash
    Ranking.objects.filter(pk=ranking.pk).update(inputs=document, input_hash=digest)
    rerun = ranking_rerun(ranking=Ranking.objects.get(pk=ranking.pk))
    assert rerun.equal and rerun.from_stored_inputs and rerun.rerun_input_hash == digest
    bid = next(b for s in document["tender"]["segments"] for b in s["bids"] if b["final_levels"])
    code = next(iter(bid["final_levels"]))
    bid["final_levels"][code] = "0" if bid["final_levels"][code] != "0" else "1"
    Ranking.objects.filter(pk=ranking.pk).update(inputs=document)
    assert not ranking_rerun(ranking=Ranking.objects.get(pk=ranking.pk)).inputs_equal


def test_a_ranking_stored_without_inputs_is_rerun_from_the_current_data(award_tender):
    """A ranking stored without inputs predates them, so its hash is of digest version 1."""
    ranking = _final(award_tender, "award")
    _document, digest = _as_version_1(ranking)
    Ranking.objects.filter(pk=ranking.pk).update(inputs={}, input_hash=digest)
    rerun = ranking_rerun(ranking=Ranking.objects.get(pk=ranking.pk))
    assert rerun.equal and not rerun.from_stored_inputs
    broken = {**ranking.inputs, "format": "ranking-inputs/0"}
    Ranking.objects.filter(pk=ranking.pk).update(inputs=broken)
    assert not ranking_rerun(ranking=Ranking.objects.get(pk=ranking.pk)).equal


@pytest.mark.parametrize("role", [BEOORDELAAR, AANBIEDER, CONTRACTMANAGER])
def test_others_cannot_rerun_a_ranking(award_tender, client_for, role):
    assert client_for(role).get(_url(_final(award_tender))).status_code == 404


def test_only_a_final_ranking_is_rerun(award_tender, client_for):
    draft = Ranking.objects.create(tender=award_tender, phase="selection", seed=3)
    assert client_for(VOORZITTER).get(_url(draft)).status_code == 404


def test_the_auditor_filters_the_log_exports_it_and_sees_a_verified_rerun(award_tender, client_for):
    """The issue's flow, as the auditor clicks it: the header's audit log, the tender's log
    filtered to the finalisations, that selection exported, then the final award ranking
    re-run from its stored inputs: "gelijk"."""
    client = client_for(AUDITOR)
    home = client.get(reverse("home")).content.decode()
    assert reverse("audit-home") in home
    log_url = reverse("audit-log", args=[award_tender.slug])
    assert log_url in client.get(reverse("audit-home")).content.decode()

    page = client.get(log_url, {"action": "ranking.finalise"})
    listed = [entry.action for entry in page.context["page_obj"]]
    assert listed == ["ranking.finalise", "ranking.finalise"]
    export = page.content.decode().split('href="')
    export_url = next(part.split('"')[0] for part in export if "auditlog.csv" in part)
    csv_text = b"".join(client.get(export_url.replace("&amp;", "&")).streaming_content).decode()
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert len(lines) == 3 and all(";ranking.finalise;" in line for line in lines[1:])

    ranking = _final(award_tender, "award")
    overview = client.get(reverse("ranking-overview", args=[award_tender.slug, "award"]))
    assert _url(ranking) in overview.content.decode()
    rerun = client.get(_url(ranking))
    assert rerun.context["rerun"].equal
    assert "gelijk" in rerun.content.decode()
