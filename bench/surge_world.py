"""The surge's world (bench/surge.py): tenders open for submissions, provider organisations
with users and API tokens, and a complete draft per provider and tender.

One draft per tender is built through the services (UEA filled in and signed, segments,
answers, dossiers with lumpsum bids, encrypted uploads); the others are bulk copies of it
(the same encrypted files by reference, as versions of one submission share them). The seal
reads those rows like any others; how they were made is not what the surge measures.
"""

import io
import random
import secrets
import zipfile
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone
from pypdf import PdfWriter
from surge_client import Job

from accounts.models import ApiToken
from accounts.roles import AANBIEDER
from accounts.tokens import PREFIX_LENGTH, api_token_lifetime, key_hash
from providers import uea as structure
from providers.constants import SubmissionState
from providers.envelopes import content_load, content_store, uea_store, uea_unseal
from providers.models import (
    DocumentKind,
    Dossier,
    Organisation,
    OrganisationMembership,
    RequirementAnswer,
    Submission,
    SubmissionDocument,
    UEADeclaration,
)
from providers.services import submissions as services
from providers.services.uea import uea_save, uea_sign
from tender.constants import Funding, Procedure, TenderState
from tender.models import Criterion, Lot, Municipality, Region, Requirement, Segment, Tender

SEGMENTS = ("JH-DYS", "JH-AMB", "WMO-BG", "WMO-HH")  # two lots of two segments
MUNICIPALITIES = 8


def _pdf(marker: str) -> bytes:
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Subject": marker})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _docx(marker: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", f"<w:document>{marker}</w:document>")
    return buffer.getvalue()


def _uea_answers() -> tuple[dict, dict]:
    """A complete UEA: no exclusion ground applies, every selection statement is met."""
    answers = {}
    for question in structure.questions():
        if question.kind == structure.YES_NO:
            answers[question.code] = question.explain_when is False
        else:
            answers[question.code] = f"Antwoord op {question.code}"
    signer = {
        "signer_name": "Petra de Boer",
        "signer_role": "Bestuurder",
        "signed_place": "Zutphen",
    }
    return answers, signer


def _providers(count: int):
    """``count`` organisations, each with one admin user (group 'aanbieder') and API token.
    Built in bulk: nothing here is what the surge measures."""
    User = get_user_model()
    organisations = Organisation.objects.bulk_create(
        Organisation(
            kvk=f"{90000000 + n:08d}",
            name=f"Zorgaanbieder Surge {n:03d}",
            legal_form="stichting",
            address="Hoofdstraat 1",
            postcode="7201 AB",
            city="Zutphen",
            phone="0575 000000",
            contact_name="Contact",
            contact_email=f"info-{n:03d}@surge.example",
        )
        for n in range(count)
    )
    password = make_password(secrets.token_urlsafe(16))
    users = User.objects.bulk_create(
        User(
            username=f"surge{n:03d}@surge.example",
            email=f"surge{n:03d}@surge.example",
            password=password,
            first_name="Anna",
            last_name=f"Surge{n:03d}",
        )
        for n in range(count)
    )
    group, _ = Group.objects.get_or_create(name=AANBIEDER)
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=group.pk) for user in users
    )
    OrganisationMembership.objects.bulk_create(
        OrganisationMembership(user=user, organisation=organisation, is_admin=True)
        for user, organisation in zip(users, organisations, strict=True)
    )
    # API tokens as the portal makes them (``accounts.tokens.api_token_create``), in bulk.
    keys = [secrets.token_hex(20) for _ in users]
    now = timezone.now()
    ApiToken.objects.bulk_create(
        ApiToken(
            user=user,
            name="surge",
            prefix=key[:PREFIX_LENGTH],
            key_hash=key_hash(key),
            created_at=now,
            expires_at=now + api_token_lifetime(),
        )
        for user, key in zip(users, keys, strict=True)
    )
    return list(zip(organisations, users, keys, strict=True))


def _tender(slug: str, region, municipalities):
    tender = Tender.objects.create(
        slug=slug,
        title=f"Inkoop Jeugdhulp en Wmo ({slug})",
        region=region,
        # The open procedure: the offers carry the bids (a restricted request carries none).
        procedure=Procedure.OPEN,
        state=TenderState.OFFERS_OPEN,
        deadline=timezone.now() + timedelta(days=1),
    )
    Requirement.objects.bulk_create(
        Requirement(tender=tender, code=f"AM{n}", text=f"Algemene eis {n}", position=n)
        for n in range(1, 4)
    )
    for position, (code, name) in enumerate([("JH", "Jeugdhulp"), ("WMO", "Wmo")]):
        lot = Lot.objects.create(
            tender=tender, code=code, name=name, position=position, funding=Funding.LUMPSUM
        )
        lot.municipalities.set(municipalities)
        for segment_code in (c for c in SEGMENTS if c.startswith(code + "-")):
            segment = Segment.objects.create(
                tender=tender, lot=lot, code=segment_code, name=segment_code, places=20
            )
            Criterion.objects.create(
                segment=segment,
                code="A",
                name="Kwaliteit",
                phase="selection",
                max_points=Decimal("60"),
            )
            Requirement.objects.create(
                tender=tender,
                segment=segment,
                code=f"{segment_code}-E1",
                text="Twee jaar ervaring",
                position=10,
            )
    return tender


def _template_draft(tender, organisation, user):
    """A complete draft built through the services (UEA signed, three segments, every
    requirement answered, dossiers with bids, two encrypted documents per segment)."""
    answers, signer = _uea_answers()
    uea_save(tender=tender, organisation=organisation, user=user, answers=answers, **signer)
    uea_sign(tender=tender, organisation=organisation, user=user)
    draft = services.submission_start(tender=tender, organisation=organisation, user=user)
    segments = list(Segment.objects.filter(tender=tender, code__in=SEGMENTS[:3]))
    services.submission_segments_set(submission=draft, segments=segments, user=user)
    services.submission_answers_save(
        submission=draft,
        answers={
            r: True
            for r in Requirement.objects.filter(tender=tender)
            if r.segment_id is None or r.segment in segments
        },
        user=user,
    )
    codes = list(tender.lots.first().municipalities.values_list("code", flat=True))
    for segment in segments:
        services.dossier_save(
            submission=draft,
            segment=segment,
            user=user,
            municipality_codes=codes,
            specialisms=[],
            bid_clients=40,
            bid_months=Decimal("6.5"),
            bid_hours_per_month=Decimal("4.25"),
        )
        services.document_upload(
            submission=draft,
            kind=DocumentKind.DOSSIER,
            name=f"dossier-{segment.code}.pdf",
            data=_pdf(f"{tender.slug}-{segment.code}"),
            user=user,
            segment=segment,
        )
        services.document_upload(
            submission=draft,
            kind=DocumentKind.REFERENCE,
            name=f"referentie-{segment.code}.docx",
            data=_docx(f"{tender.slug}-{segment.code}"),
            user=user,
            segment=segment,
        )
    return draft


def _clone_drafts(template, others) -> list:
    """The template's draft for every other (organisation, user): same content, the same
    encrypted files by reference (as versions of one submission share them), and a signed
    UEA of each organisation. Bulk inserts of the (neutral) rows; the content is sealed per
    draft and UEA as the services seal it (``providers.envelopes``), so the seal reads these
    drafts like any others."""
    tender = template.tender
    uea = uea_unseal(UEADeclaration.objects.get(tender=tender, organisation=template.bidder))
    declarations = UEADeclaration.objects.bulk_create(
        UEADeclaration(
            tender=tender,
            organisation=organisation,
            signed_on=uea.signed_on,
            signed_at=uea.signed_at,
            signed_by=user,
            content_hash=secrets.token_hex(32),
        )
        for organisation, user in others
    )
    for declaration, (organisation, _user) in zip(declarations, others, strict=True):
        declaration.answers = uea.answers
        declaration.identity = {**uea.identity, "kvk": organisation.kvk, "name": organisation.name}
        declaration.signer_name = uea.signer_name
        declaration.signer_role = uea.signer_role
        declaration.signed_place = uea.signed_place
        uea_store(declaration)
    drafts = Submission.objects.bulk_create(
        Submission(
            tender=tender,
            round=tender.rounds[0],
            bidder=organisation,
            state=SubmissionState.DRAFT,
            version=1,
            is_current=False,
        )
        for organisation, _user in others
    )
    content = content_load(template)
    dossiers = list(template.dossiers.all())
    Dossier.objects.bulk_create(
        Dossier(submission=draft, segment_id=d.segment_id) for draft in drafts for d in dossiers
    )
    answers = list(template.answers.all())
    RequirementAnswer.objects.bulk_create(
        RequirementAnswer(submission=draft, requirement_id=a.requirement_id, met=False)
        for draft in drafts
        for a in answers
    )
    documents = list(template.documents.order_by("pk"))
    copies = SubmissionDocument.objects.bulk_create(
        SubmissionDocument(
            submission=draft,
            kind=d.kind,
            segment_id=d.segment_id,
            requirement_id=d.requirement_id,
            file_id=d.file_id,
            name="",
            uploaded_by=user,
            uploaded_at=d.uploaded_at,
        )
        for draft, (_organisation, user) in zip(drafts, others, strict=True)
        for d in documents
    )
    names = [content["documents"].get(str(d.pk), "") for d in documents]
    for index, draft in enumerate(drafts):
        mine = copies[index * len(documents) : (index + 1) * len(documents)]
        content_store(
            draft,
            {
                **content,
                "documents": {str(c.pk): n for c, n in zip(mine, names, strict=True)},
                "manifest": None,
            },
        )
    return drafts


def _drafts(slug: str, region, municipalities, providers) -> list[Job]:
    """A tender ``slug`` with a complete draft of every provider: the seals to fire."""
    tender = _tender(slug, region, municipalities)
    (first, first_user, _token), rest = providers[0], providers[1:]
    template = _template_draft(tender, first, first_user)
    drafts = [template, *_clone_drafts(template, [(o, u) for o, u, _ in rest])]
    return [
        Job(token=token, slug=tender.slug, kvk=organisation.kvk, draft_pk=draft.pk)
        for (organisation, _user, token), draft in zip(providers, drafts, strict=True)
    ]


def world_build(*, providers: int, tenders: int, warmup: int, seed: int):
    """``tenders`` tenders ``surge-<n>`` open for submissions (deadline tomorrow:
    ``deadline_set`` moves it), ``providers`` providers, a complete draft of every provider
    for every tender, and a tender ``warmup`` with drafts of the first ``warmup`` providers.
    Returns the surge's seals (shuffled with ``seed``) and the warm-up seals."""
    region = Region.objects.create(code="surge", name="Surge")
    municipalities = Municipality.objects.bulk_create(
        Municipality(code=f"GM9{n:03d}", name=f"Gemeente {n}") for n in range(MUNICIPALITIES)
    )
    region.municipalities.set(municipalities)
    people = _providers(providers)
    jobs = [
        job
        for t in range(tenders)
        for job in _drafts(f"surge-{t + 1}", region, municipalities, people)
    ]
    random.Random(seed).shuffle(jobs)  # noqa: S311 (an order, not a secret)
    return jobs, _drafts("warmup", region, municipalities, people[:warmup])


def deadline_set(seconds: float):
    """Move the deadline of every surge tender (not the warm-up's) to ``seconds`` from now."""
    deadline = timezone.now() + timedelta(seconds=seconds)
    Tender.objects.filter(slug__startswith="surge-").update(deadline=deadline)
    return deadline
