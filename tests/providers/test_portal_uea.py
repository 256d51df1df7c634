"""The UEA self-declaration: draft, sign (locks), PDF for the organisation and for staff after
the opening."""

import subprocess

import pytest
from django.urls import reverse

from accounts.roles import INKOPER
from audit.models import AuditEntry
from providers import uea as structure
from providers.envelopes import uea_unseal
from providers.models import UEADeclaration
from providers.portal_selectors import uea_status

pytestmark = pytest.mark.django_db


def complete_answers(**overrides) -> dict:
    data = {}
    for q in structure.questions():
        if q.kind == structure.YES_NO:
            # Exclusion grounds do not apply (nee); the selection questions are met (ja).
            data[q.code] = "ja" if q.explain_when is False else "nee"
        else:
            data[q.code] = f"Antwoord op {q.code}"
    data.update(signer_name="Petra de Boer", signer_role="Bestuurder", signed_place="Doetinchem")
    data.update(overrides)
    return data


def url(tender, name="portal-uea"):
    return reverse(name, args=[tender.slug])


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "uea.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_draft_then_sign_locks(org_client, open_tender):
    client = org_client()
    partial = {"iii_fraud": "ja", "action": "save"}  # "ja" needs an explanation at signing
    assert client.post(url(open_tender), partial).status_code == 302
    declaration = UEADeclaration.objects.get()
    assert declaration.answers == {} and declaration.sealed_content  # sealed until the opening
    declaration = uea_unseal(declaration)
    assert declaration.answers == {"iii_fraud": True} and not declaration.is_signed

    refused = client.post(
        url(open_tender), {"iii_fraud": "ja", "action": "sign", "confirm": "1"}, follow=True
    )
    assert "nog niet volledig" in refused.content.decode()
    assert "Beantwoord deze vraag." in refused.content.decode()  # on the missing fields
    assert "Licht uw antwoord toe." in refused.content.decode()
    assert not UEADeclaration.objects.get().is_signed

    missing_explanation = complete_answers(iii_fraud="ja", action="sign", confirm="1")
    client.post(url(open_tender), missing_explanation)
    assert not UEADeclaration.objects.get().is_signed

    asked = client.post(url(open_tender), complete_answers(action="sign"))
    assert "Na ondertekenen liggen ze vast" in asked.content.decode()
    assert not UEADeclaration.objects.get().is_signed  # the button alone asks first
    signed = client.post(
        url(open_tender), complete_answers(action="sign", confirm="1"), follow=True
    )
    assert "De verklaring is ondertekend." in signed.content.decode()
    declaration = uea_unseal(UEADeclaration.objects.get())
    assert declaration.is_signed and len(declaration.content_hash) == 64
    assert declaration.identity["kvk"] == client.org.kvk
    assert uea_status(tender=open_tender, organisation_ids=[client.org.pk, 0]) == {
        client.org.pk: True,
        0: False,
    }

    # Locked: a later save changes nothing.
    client.post(url(open_tender), complete_answers(signer_name="Iemand anders", action="save"))
    assert uea_unseal(UEADeclaration.objects.get()).signer_name == "Petra de Boer"
    assert AuditEntry.objects.filter(action="uea.sign").count() == 1


def test_only_admin_signs(org_client, open_tender):
    admin = org_client()
    colleague = org_client(admin.org, is_admin=False)
    colleague.post(url(open_tender), complete_answers(action="sign", confirm="1"))
    declaration = uea_unseal(UEADeclaration.objects.get())
    assert declaration.answers and not declaration.is_signed  # saved as draft, not signed


def test_pdf_contains_the_declarations(org_client, open_tender, tmp_path):
    client = org_client()
    client.post(
        url(open_tender),
        complete_answers(
            iii_conflict_of_interest="ja",
            iii_conflict_of_interest__explanation="Bestuurder is familie van een ambtenaar.",
            action="sign",
            confirm="1",
        ),
    )
    response = client.get(url(open_tender, "portal-uea-pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content, tmp_path).split())
    assert "Uniform Europees Aanbestedingsdocument" in text
    assert "Deel III: Uitsluitingsgronden" in text
    assert "belangenconflict" in text
    assert "Bestuurder is familie van een ambtenaar." in text
    assert "Deel VI: Slotverklaringen" in text
    assert "Petra de Boer" in text and "Doetinchem" in text
    assert client.org.kvk in text
    assert "CONCEPT" not in text


def test_staff_read_uea_only_after_opening(org_client, open_tender, client_for):
    provider = org_client()
    provider.post(url(open_tender), complete_answers(action="sign", confirm="1"))
    staff = client_for(INKOPER)
    staff_url = reverse("staff-uea-pdf", args=[open_tender.slug, provider.org.pk])
    assert staff.get(staff_url).status_code == 404
    open_tender.state = "requests_opened"
    open_tender.save(update_fields=["state"])
    assert staff.get(staff_url).status_code == 200
    # Another provider never.
    assert org_client().get(staff_url).status_code == 404


def test_other_organisation_sees_only_its_own(org_client, open_tender):
    a, b = org_client(), org_client()
    a.post(url(open_tender), complete_answers(action="save"))
    assert b.get(url(open_tender, "portal-uea-pdf")).status_code == 404
    page = b.get(url(open_tender)).content.decode()
    assert "Petra de Boer" not in page


def test_after_deadline_the_form_is_closed(org_client, open_tender):
    client = org_client()
    open_tender.state = "requests_closed"
    open_tender.save(update_fields=["state"])
    response = client.post(url(open_tender), complete_answers(action="save"), follow=True)
    assert "tot de sluitingstermijn" in response.content.decode()
    assert not UEADeclaration.objects.exists()
