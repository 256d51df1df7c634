"""Load the seeds' calendar and market communication into the demo tenders (issue 15.7).

Achterhoek 2022 (``inkoop-2022``) gets the sessions of January and February 2021 (capacity 70,
one participant per organisation; the session of 26 January with its conditional extra
session of 4 February that only takes place above 70 registrations), the key dates of the
"Belangrijke deadlines" list, two news items, example documents and a sent newsletter issue.
Hart van Brabant (``hvb-2022``) gets its information session of September 2021. The
follow-up in market consultation (``inkoop-2027-consultatie``) gets a session whose
registration opens later and whose programme is mailed on a set date, relative to today.

Historic demo content is written directly (the services refuse sessions in the past); a
tender that already has sessions is skipped, so a restart keeps what people did.
"""

import hashlib
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.utils import timezone

from communication.models import KeyDate, NewsItem, NewsletterIssue, Session, TenderDocument
from tender.models import Tender

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TEAMS = "Online via Microsoft Teams"
ONE_PER_ORGANISATION = "Meld maximaal één deelnemer van uw organisatie aan."


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM)


def example_pdf(title: str) -> bytes:
    """A one-page PDF with ``title`` (ASCII), built by hand: no PDF engine in the demo load."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 770 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def document_add(tender: Tender, *, title: str, category: str, published: datetime):
    content = example_pdf(title)
    document = TenderDocument(
        tender=tender,
        kind=TenderDocument.Kind.DOCUMENT,
        category=category,
        title=title,
        content_type="application/pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        audience=TenderDocument.Audience.PUBLIC,
        publish_at=published,
        announced_at=published,  # historic: no publication mail from the demo
    )
    slug = title.lower().replace(" ", "-")[:60]
    document.file.save(f"{tender.slug}-{slug}.pdf", ContentFile(content), save=True)
    return document


def session_add(tender: Tender, **values) -> Session:
    values.setdefault("location", TEAMS)
    values.setdefault("capacity", 70)
    return Session.objects.create(tender=tender, **values)


def achterhoek(tender: Tender) -> None:
    d = date
    session_add(
        tender,
        kind=Session.Kind.INFORMATION,
        title="Overkoepelende informatieve sessie 'Inkoop 2022'",
        description="Start van de dialoogfase voor alle zorgaanbieders van Jeugdhulp, Wmo en "
        "Beschermd Wonen.",
        starts_at=at(d(2021, 1, 7), 9),
        ends_at=at(d(2021, 1, 7), 11),
        registration_deadline=at(d(2021, 1, 5), 23, 59),
    )
    session_add(
        tender,
        kind=Session.Kind.DIALOGUE,
        title="Bijeenkomst sociaal domein Achterhoek: van effecten naar KPI's",
        description="Resultaatgericht werken, van inhoud naar bekostiging.",
        starts_at=at(d(2021, 1, 14), 9),
        ends_at=at(d(2021, 1, 14), 11),
        registration_deadline=at(d(2021, 1, 12), 23, 59),
    )
    extra = session_add(
        tender,
        kind=Session.Kind.INFORMATION,
        title="Extra sessie: vervolg overkoepelende informatieve sessie 'Inkoop 2022'",
        description="Deze extra sessie vindt alleen plaats als meer dan 70 organisaties zich "
        "aanmelden voor de sessie van 26 januari.",
        starts_at=at(d(2021, 2, 4), 15),
        ends_at=at(d(2021, 2, 4), 17),
        registration_deadline=at(d(2021, 1, 20), 23, 59),
    )
    session_add(
        tender,
        kind=Session.Kind.INFORMATION,
        title="Vervolg overkoepelende informatieve sessie 'Inkoop 2022'",
        description="Toelichting tweede fase aanbesteding (gunningsfase), oplossingsrichting "
        "aantal aanbieders per segment en perceel, hoe kan ik me voorbereiden op de "
        "aanbesteding, doorkijk administratie en accountantsprotocol. " + ONE_PER_ORGANISATION,
        starts_at=at(d(2021, 1, 26), 9),
        ends_at=at(d(2021, 1, 26), 11),
        registration_deadline=at(d(2021, 1, 20), 23, 59),
        overflow=extra,
    )
    session_add(
        tender,
        kind=Session.Kind.TABLE_TALK,
        title="Gesprekstafel Wmo (inclusief Wonen): dienstverlening, randvoorwaarden en "
        "minimumeisen",
        description=ONE_PER_ORGANISATION,
        starts_at=at(d(2021, 1, 28), 14),
        ends_at=at(d(2021, 1, 28), 16),
        registration_deadline=at(d(2021, 1, 20), 23, 59),
        details_send_by=d(2021, 1, 25),
    )
    kwaliteit = session_add(
        tender,
        kind=Session.Kind.TABLE_TALK,
        title="Algemene sessie 'Kwaliteit'",
        description="Voor aanbieders van alle segmenten Jeugdhulp. Thema: kwaliteit.",
        starts_at=at(d(2021, 2, 10), 9),
        ends_at=at(d(2021, 2, 10), 11),
        registration_opens_at=at(d(2021, 1, 27), 9),
        registration_deadline=at(d(2021, 2, 8), 23, 59),
    )
    jeugd = tender.lots.filter(code="JH").first()
    if jeugd is not None:
        kwaliteit.lots.add(jeugd)
    session_add(
        tender,
        kind=Session.Kind.TABLE_TALK,
        title="Gesprekstafel Wmo (inclusief Wonen): minimumeisen (extra bespreking), "
        "selectiecriteria en verdieping bekostiging",
        description=ONE_PER_ORGANISATION,
        starts_at=at(d(2021, 2, 11), 14),
        ends_at=at(d(2021, 2, 11), 16),
        registration_deadline=at(d(2021, 2, 3), 23, 59),
        details_send_by=d(2021, 2, 8),
    )
    for label, day, note in (
        ("Dialoogfase 'Samen in gesprek: de opstart'", d(2020, 9, 1), "september – december 2020"),
        ("Uitwerken van de selectieleidraden", d(2021, 1, 4), "januari – maart 2021"),
        (
            "Finale besluitvorming over de uitgangspunten, financiering, etc.",
            d(2021, 2, 2),
            "onder voorbehoud",
        ),
        ("Besluitvorming over de selectieleidraad Jeugd", d(2021, 3, 2), "onder voorbehoud"),
        ("Start aanbesteding", d(2021, 4, 1), ""),
        ("Resultaatgericht werken", d(2021, 10, 1), ""),
        ("Ingangsdatum contracten", d(2022, 1, 1), ""),
    ):
        KeyDate.objects.create(tender=tender, label=label, date=day, note=note)
    start = NewsItem.objects.create(
        tender=tender,
        title="Aanbesteding Wmo, Jeugdhulp en Beschermd Wonen van start",
        body="De Achterhoekse gemeenten hebben de laatste besluiten genomen om de 'Inkoop "
        "Jeugdhulp, Wmo en Beschermd Wonen 2022' van start te laten gaan. Vanaf 1 april 2021 "
        "kunnen zorgaanbieders zich inschrijven voor een contract per 1 januari 2022.\n\n"
        "Het cliëntresultaat staat voorop, zorgprofessionals krijgen meer ruimte voor hun "
        "expertise en de gemeenten zoeken partnerschap met minder aanbieders.",
        published_at=at(d(2021, 3, 30), 10),
        mailed_at=at(d(2021, 3, 30), 10),
    )
    dialogue = NewsItem.objects.create(
        tender=tender,
        title="Dialoogfase Inkoop 2022 verlengd tot 1 april 2021",
        body="Tot 1 april 2021 staan dialoogsessies op de agenda: gesprekstafels, workshops, "
        "kennissessies en webinars. De activiteiten worden aangekondigd in de agenda en in de "
        "maandelijkse thema-nieuwsbrief Inkoop 2022.",
        published_at=at(d(2020, 11, 26), 10),
        mailed_at=at(d(2020, 11, 26), 10),
    )
    vision = document_add(
        tender,
        title="Visie Inkoop 2022 sociaal domein Achterhoek",
        category=TenderDocument.Category.VISION,
        published=at(d(2020, 11, 26), 9),
    )
    document_add(
        tender,
        title="Informatieblad Het proces van de vernieuwde inkoop",
        category=TenderDocument.Category.INFORMATION_SHEET,
        published=at(d(2021, 1, 7), 9),
    )
    issue = NewsletterIssue.objects.create(
        tender=tender,
        title="Thema-nieuwsbrief Inkoop 2022 – januari 2021",
        theme="Van effecten naar KPI's",
        body="In deze editie: de sessies van januari en februari, resultaatgericht werken "
        "(van effecten naar KPI's) en de visie op de Inkoop 2022.",
        sent_at=at(d(2021, 1, 15), 9),
    )
    issue.news_items.add(dialogue, start)
    issue.documents.add(vision)


def hart_van_brabant(tender: Tender) -> None:
    day = date(2021, 9, 14)
    session_add(
        tender,
        kind=Session.Kind.INFORMATION,
        title="Informatiebijeenkomst Inkoop sociaal domein vanaf 2022",
        description="Wmo, Beschermd Wonen, Dagbesteding en Jeugdhulp: de opzet van de "
        "aanbesteding, de planning en de dialoogfase.",
        starts_at=at(day, 14),
        ends_at=at(day, 16),
        capacity=100,
        registration_deadline=at(day - timedelta(days=3), 23, 59),
    )


def consultation(tender: Tender) -> None:
    """The follow-up in market consultation: dates relative to today."""
    today = timezone.localdate()
    starts = at(today + timedelta(days=21), 14)
    session_add(
        tender,
        kind=Session.Kind.DIALOGUE,
        title="Dialoogsessie marktconsultatie: de segmenten van Beschermd Wonen",
        description="Het segment Beschut wonen staat onder voorbehoud van besluitvorming. "
        "Denk mee over de afbakening. " + ONE_PER_ORGANISATION,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        registration_opens_at=at(today + timedelta(days=2), 9),
        registration_deadline=at(today + timedelta(days=16), 23, 59),
        programme="14.00 Welkom\n14.15 Afbakening Beschut en Beschermd wonen\n15.30 Vragen",
        details_send_by=today + timedelta(days=18),
    )
    for label, days, note in (
        ("Einde marktconsultatie", 60, "onder voorbehoud"),
        ("Besluitvorming colleges over de segmenten", 75, "onder voorbehoud"),
        ("Publicatie aanbesteding", 90, "onder voorbehoud van besluitvorming"),
    ):
        KeyDate.objects.create(
            tender=tender, label=label, date=today + timedelta(days=days), note=note
        )
    NewsItem.objects.create(
        tender=tender,
        title="Marktconsultatie Inkoop 2027 gestart",
        body="De Achterhoekse gemeenten consulteren de markt over de opzet van de Inkoop 2027. "
        "Stel uw vragen via deze site; de antwoorden verschijnen geanonimiseerd in het "
        "consultatieverslag.",
        published_at=timezone.now(),
        mailed_at=timezone.now(),
    )


LOADERS = {
    "inkoop-2022": achterhoek,
    "hvb-2022": hart_van_brabant,
    "inkoop-2027-consultatie": consultation,
}


class Command(BaseCommand):
    help = "Laad de kalender, het nieuws en de nieuwsbrief van de seeds in de demo."

    def handle(self, *args, **options):
        for slug, loader in LOADERS.items():
            tender = Tender.objects.filter(slug=slug).first()
            if tender is None or tender.sessions.exists():
                continue
            loader(tender)
            self.stdout.write(f"Demo '{slug}': kalender, nieuws en documenten geladen.")
