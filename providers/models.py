"""Care providers, combinations and their sealed submissions with a dossier per segment."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.permissions import can_be_assigned
from tender.constants import Round
from tender.models import Municipality, Requirement, Segment, Tender

from .constants import LegalForm, SubmissionState

kvk_validator = RegexValidator(r"^[0-9]{8}$", _("Een KvK-nummer bestaat uit 8 cijfers."))
agb_validator = RegexValidator(r"^[0-9]{8}$", _("Een AGB-code bestaat uit 8 cijfers."))


class Organisation(models.Model):
    kvk = models.CharField(
        _("KvK-nummer"),
        max_length=8,
        unique=True,
        validators=[kvk_validator],
        help_text=_("Inschrijfnummer bij de Kamer van Koophandel (8 cijfers)."),
    )
    name = models.CharField(_("naam"), max_length=200, help_text=_("Statutaire naam."))
    legal_form = models.CharField(
        _("rechtsvorm"),
        max_length=20,
        choices=LegalForm.choices,
        help_text=_("Rechtsvorm van de organisatie."),
    )
    agb = models.CharField(
        _("AGB-code"),
        max_length=8,
        blank=True,
        validators=[agb_validator],
        help_text=_("Optioneel: AGB-code (8 cijfers)."),
    )
    address = models.CharField(
        _("adres"), max_length=300, blank=True, help_text=_("Bezoek- of postadres.")
    )
    contact_email = models.EmailField(
        _("e-mail contactpersoon"), blank=True, help_text=_("Voor berichten over aanbestedingen.")
    )
    two_factor_required = models.BooleanField(
        _("tweede factor verplicht"),
        default=False,
        help_text=_(
            "Elke gebruiker van de organisatie logt in met een code uit een authenticator-app; "
            "wie er nog geen heeft, stelt die in bij de volgende keer inloggen."
        ),
    )
    postcode = models.CharField(
        _("postcode"), max_length=7, blank=True, help_text=_("Bijvoorbeeld 7001 AB.")
    )
    city = models.CharField(
        _("plaats"), max_length=100, blank=True, help_text=_("Vestigingsplaats.")
    )
    phone = models.CharField(
        _("telefoonnummer"), max_length=20, blank=True, help_text=_("Algemeen telefoonnummer.")
    )
    contact_name = models.CharField(
        _("contactpersoon"),
        max_length=200,
        blank=True,
        help_text=_("Naam van de contactpersoon voor aanbestedingen."),
    )
    created_at = models.DateTimeField(
        _("geregistreerd op"), null=True, blank=True, help_text=_("Moment van registratie.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        constraints = [
            models.CheckConstraint(
                condition=Q(kvk__regex=r"^[0-9]{8}$"), name="organisation_kvk_8_digits"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.kvk})"


class Combination(models.Model):
    """Several organisations bidding as one; the lead (penvoerder) signs and submits."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="combinations",
        help_text=_("Aanbesteding."),
    )
    lead = models.ForeignKey(
        Organisation,
        verbose_name=_("penvoerder"),
        on_delete=models.PROTECT,
        related_name="led_combinations",
        help_text=_("Organisatie die namens de combinatie inschrijft."),
    )
    name = models.CharField(
        _("naam"), max_length=200, blank=True, help_text=_("Naam van de combinatie.")
    )
    legal_entity = models.BooleanField(
        _("eigen rechtspersoon"),
        default=False,
        help_text=_(
            "Aan als de combinatie een eigen rechtspersoon met een KvK-nummer is (bijvoorbeeld "
            "een opgerichte coöperatie). Uit voor een combinatie in oprichting (coöperatie "
            "i.o.) of een consortium zonder rechtspersoonlijkheid: het KvK-nummer van de "
            "penvoerder identificeert haar."
        ),
    )
    kvk = models.CharField(
        _("KvK-nummer combinatie"),
        max_length=8,
        blank=True,
        validators=[kvk_validator],
        help_text=_("Alleen bij een eigen rechtspersoon; anders leeg."),
    )
    members = models.ManyToManyField(
        Organisation,
        verbose_name=_("leden"),
        through="CombinationMember",
        related_name="combinations",
        help_text=_("Overige leden van de combinatie."),
    )

    class Meta:
        verbose_name = _("combinatie")
        verbose_name_plural = _("combinaties")
        constraints = [
            models.UniqueConstraint(fields=["tender", "lead"], name="combination_one_per_lead"),
            models.CheckConstraint(
                condition=Q(legal_entity=True) | Q(kvk=""),
                name="combination_kvk_only_as_legal_entity",
            ),
        ]

    def __str__(self):
        return self.name or f"Combinatie {self.lead}"

    @property
    def identifying_kvk(self) -> str:
        """The KvK number that identifies the combination: its own as a legal entity, else
        (in formation, or a consortium that is no legal entity) its lead's."""
        return self.kvk if self.legal_entity and self.kvk else self.lead.kvk

    def confirmed_member_names(self) -> list[str]:
        """The names of the members (the lead aside) that confirmed, by name; reads
        ``combinationmember_set__organisation`` (prefetch it on lists)."""
        return sorted(
            m.organisation.name
            for m in self.combinationmember_set.all()
            if m.confirmed_at is not None and m.organisation_id != self.lead_id
        )

    @property
    def display_name(self) -> str:
        """ "Combinatie X (penvoerder A, leden B, C)": the one way a combination is named on
        receipts, the proces-verbaal, rankings, evaluator lists, letters and contracts."""
        return combination_label(
            name=self.name, lead=self.lead.name, members=self.confirmed_member_names()
        )


def combination_label(*, name: str, lead: str, members: list[str]) -> str:
    """The Dutch display name of a combination from its name, its lead's name and its
    members' names (see ``Combination.display_name``); contracts and letters, which keep
    their own copies of the names, call it directly."""
    title = (name or "").strip()
    if not title.lower().startswith("combinatie"):
        title = f"Combinatie {title}".strip()
    parts = [f"penvoerder {lead}"]
    if members:
        parts.append(f"{'leden' if len(members) > 1 else 'lid'} {', '.join(members)}")
    return f"{title} ({', '.join(parts)})"


class CombinationMember(models.Model):
    combination = models.ForeignKey(
        Combination,
        verbose_name=_("combinatie"),
        on_delete=models.CASCADE,
        help_text=_("Combinatie."),
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisatie"), on_delete=models.PROTECT, help_text=_("Lid.")
    )
    confirmed_at = models.DateTimeField(
        _("bevestigd op"),
        null=True,
        blank=True,
        help_text=_("Moment waarop het lid deelname bevestigde."),
    )
    invited_at = models.DateTimeField(
        _("uitgenodigd op"), null=True, blank=True, help_text=_("Moment van de uitnodiging.")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uitgenodigd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Gebruiker van de penvoerder die uitnodigde."),
    )
    declined_at = models.DateTimeField(
        _("afgewezen op"),
        null=True,
        blank=True,
        help_text=_("Moment waarop het lid de uitnodiging afwees."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("beslist door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Beheerder van het lid die bevestigde of afwees."),
    )

    class Meta:
        verbose_name = _("lid van combinatie")
        verbose_name_plural = _("leden van combinaties")
        constraints = [
            models.UniqueConstraint(
                fields=["combination", "organisation"], name="combination_member_unique"
            ),
        ]

    def __str__(self):
        return str(self.organisation)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def is_declined(self) -> bool:
        return self.declined_at is not None

    @property
    def is_pending(self) -> bool:
        return self.confirmed_at is None and self.declined_at is None


class Submission(models.Model):
    """Everything one bidder hands in for one tender; sealed at submit."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="submissions",
        help_text=_("Aanbesteding."),
    )
    bidder = models.ForeignKey(
        Organisation,
        verbose_name=_("inschrijver"),
        on_delete=models.PROTECT,
        related_name="submissions",
        help_text=_("Inschrijver, of penvoerder van een combinatie."),
    )
    combination = models.ForeignKey(
        Combination,
        verbose_name=_("combinatie"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        help_text=_("Ingevuld als een combinatie inschrijft."),
    )
    round = models.CharField(
        _("ronde"),
        max_length=12,
        choices=Round.choices,
        default=Round.OFFER,
        help_text=_(
            "Verzoek tot deelneming (selectiefase), inschrijving (gunningsfase) of aanmelding "
            "(Open House)."
        ),
    )
    state = models.CharField(
        _("status"),
        max_length=10,
        choices=SubmissionState.choices,
        default=SubmissionState.DRAFT,
        help_text=_("Concept of verzegeld."),
    )
    version = models.PositiveIntegerField(
        _("versie"), default=1, help_text=_("Hoogste versie telt; oudere blijven bewaard.")
    )
    is_current = models.BooleanField(
        _("actueel"), default=True, help_text=_("De versie die meetelt.")
    )
    submitted_at = models.DateTimeField(
        _("ontvangen op"),
        null=True,
        blank=True,
        help_text=_("Exacte ontvangsttijd volgens de server."),
    )
    content_hash = models.CharField(
        _("SHA-256 inschrijving"),
        max_length=64,
        blank=True,
        help_text=_("Hash over de hele inschrijving."),
    )
    created_at = models.DateTimeField(
        _("aangemaakt"), auto_now_add=True, help_text=_("Aangemaakt.")
    )
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ingediend door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Gebruiker die de inschrijving indiende."),
    )
    manifest = models.JSONField(
        _("manifest"),
        null=True,
        blank=True,
        help_text=_("Canonieke inhoudsopgave waarover de hash is berekend (bij indienen)."),
    )
    withdrawn_at = models.DateTimeField(
        _("ingetrokken op"), null=True, blank=True, help_text=_("Moment van intrekken.")
    )
    admission_batch = models.ForeignKey(
        "AdmissionBatch",
        verbose_name=_("openingsbatch"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        help_text=_("Open House: de batch waarin deze aanmelding is (of wordt) geopend."),
    )
    admission_outcome = models.CharField(
        _("toelatingsbesluit"),
        max_length=10,
        blank=True,
        choices=[("admitted", _("Toegelaten")), ("rejected", _("Afgewezen"))],
        help_text=_("Open House: het besluit over deze aanmelding (leeg: nog niet besloten)."),
    )

    class Meta:
        ordering = ["tender", "bidder__kvk"]
        verbose_name = _("inschrijving")
        verbose_name_plural = _("inschrijvingen")
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "round", "bidder", "version"],
                name="submission_version_unique_per_round",
            ),
            models.UniqueConstraint(
                fields=["tender", "round", "bidder"],
                condition=Q(is_current=True),
                name="submission_one_current_per_bidder_round",
            ),
            models.UniqueConstraint(
                fields=["tender", "round", "bidder"],
                condition=Q(state="draft"),
                name="submission_one_draft_per_bidder_round",
            ),
        ]

    def __str__(self):
        return f"{self.bidder} – {self.tender.slug}"

    @property
    def carries_bid(self) -> bool:
        """Whether this round holds the lumpsum bid: every round but the restricted request
        (the bid belongs to round 2, the offer; docs/rules.md, "Rounds")."""
        return not (self.tender.procedure == "restricted" and self.round == Round.REQUEST)

    @property
    def serves_from_request(self) -> bool:
        """A restricted offer takes the municipalities and specialisms of the bidder's request
        dossier of the same segment (read-only); it does not state its own."""
        return self.tender.procedure == "restricted" and self.round == Round.OFFER

    @property
    def application_opened(self) -> bool:
        """Open House: this application's batch was opened (four-eyes), so it may be read."""
        return self.admission_batch_id is not None and self.admission_batch.opened_at is not None


class Subcontractor(models.Model):
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("inschrijving"),
        on_delete=models.CASCADE,
        related_name="subcontractors",
        help_text=_("Inschrijving."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("onderaannemer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subcontracts",
        help_text=_("Geregistreerde organisatie, als de onderaannemer die is."),
    )
    name = models.CharField(_("naam"), max_length=200, help_text=_("Naam van de onderaannemer."))
    kvk = models.CharField(
        _("KvK-nummer"),
        max_length=8,
        validators=[kvk_validator],
        help_text=_("KvK-nummer van de onderaannemer (8 cijfers)."),
    )

    class Meta:
        ordering = ["submission", "name", "kvk"]
        verbose_name = _("onderaannemer")
        verbose_name_plural = _("onderaannemers")
        constraints = [
            # While sealed the KvK number is in the envelope and the column empty.
            models.UniqueConstraint(
                fields=["submission", "kvk"], condition=~Q(kvk=""), name="subcontractor_unique"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.kvk})"


class DossierQuerySet(models.QuerySet):
    def scorable_by(self, user) -> "DossierQuerySet":
        """The dossiers ``user`` may score: an evaluator or chair with an active account
        (``can_be_assigned``), assigned to the dossier, who declared no conflict of interest
        with its bidder (an assignment without a declaration does not count yet). The one
        "may score" query: the permission predicates and the selectors use it alike."""
        if not can_be_assigned(user):
            return self.none()
        # One filter() call: the assignment, its evaluator and the declaration are one row.
        return self.filter(
            assignments__evaluator__user=user,
            assignments__evaluator__conflict_declarations__organisation=F("submission__bidder"),
            assignments__evaluator__conflict_declarations__has_conflict=False,
        )

    def assigned_to(self, user) -> "DossierQuerySet":
        """The dossiers ``user`` is assigned to score, whatever the conflict declaration says;
        none for anyone who cannot be assigned."""
        if not can_be_assigned(user):
            return self.none()
        return self.filter(assignments__evaluator__user=user).distinct()


class Dossier(models.Model):
    """The bekwaamheidsdossier: a bidder's entry for one segment, with its lumpsum bid."""

    submission = models.ForeignKey(
        Submission,
        verbose_name=_("inschrijving"),
        on_delete=models.CASCADE,
        related_name="dossiers",
        help_text=_("Inschrijving."),
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.PROTECT,
        related_name="dossiers",
        help_text=_("Inkoopsegment."),
    )
    municipalities = models.ManyToManyField(
        Municipality,
        verbose_name=_("bediende gemeenten"),
        related_name="dossiers",
        blank=True,
        help_text=_("Gemeenten waar de aanbieder levert."),
    )
    specialisms = models.JSONField(
        _("specialismen"),
        default=list,
        blank=True,
        help_text=_("Codes van specialismen die de aanbieder biedt."),
    )
    bid_clients = models.PositiveIntegerField(
        _("cliënten per jaar"),
        null=True,
        blank=True,
        help_text=_("Verwacht aantal cliënten per jaar."),
    )
    bid_months = models.DecimalField(
        _("trajectduur (maanden)"),
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Gemiddelde duur."),
    )
    bid_hours_per_month = models.DecimalField(
        _("uren per maand"),
        max_digits=14,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Intensiteit per cliënt."),
    )
    current_clients = models.PositiveIntegerField(
        _("huidige cliënten"),
        null=True,
        blank=True,
        help_text=_("Aantal cliënten dat de aanbieder nu in dit segment bedient (taakgericht)."),
    )

    objects = DossierQuerySet.as_manager()

    class Meta:
        ordering = ["submission", "segment__code"]
        verbose_name = _("bekwaamheidsdossier")
        verbose_name_plural = _("bekwaamheidsdossiers")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "segment"], name="dossier_one_per_segment"
            ),
        ]

    def __str__(self):
        return f"{self.segment.code} – {self.submission.bidder.name}"

    @property
    def has_bid(self) -> bool:
        return None not in (self.bid_clients, self.bid_months, self.bid_hours_per_month)


class ReviewedAnswer(models.Model):
    """What the bidder's answer and another party's answer to a requirement share: the review
    after the opening (rejected against the evidence, with a reason) and what the ranking
    reads of it. Each answer declares its own ``met`` and ``requirement``."""

    rejected = models.BooleanField(
        _("afgekeurd bij controle"),
        default=False,
        help_text=_("Na de opening afgekeurd tegen het bewijs; telt dan als niet voldaan."),
    )
    rejection_reason = models.TextField(
        _("reden afkeuring"), blank=True, help_text=_("Verplicht bij afkeuren.")
    )

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.requirement.code}: {'ja' if self.met else 'nee'}"

    @property
    def effective_met(self) -> bool:
        """What the ranking uses: the bidder's answer unless review rejected it."""
        return self.met and not self.rejected


class RequirementAnswer(ReviewedAnswer):
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("inschrijving"),
        on_delete=models.CASCADE,
        related_name="answers",
        help_text=_("Inschrijving."),
    )
    requirement = models.ForeignKey(
        Requirement,
        verbose_name=_("minimumeis"),
        on_delete=models.CASCADE,
        related_name="answers",
        help_text=_("Eis."),
    )
    met = models.BooleanField(_("voldaan"), help_text=_("Antwoord van de inschrijver (ja/nee)."))

    class Meta:
        verbose_name = _("antwoord op minimumeis")
        verbose_name_plural = _("antwoorden op minimumeisen")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "requirement"], name="requirement_answer_unique"
            ),
        ]


class PartyAnswer(ReviewedAnswer):
    """The answer of one other party of the bid (a confirmed member of the combination or a
    subcontractor) to a requirement that binds every party (``Requirement.binds``); the
    bidder's (lead's) own answer is its ``RequirementAnswer``. Sealed like the answers (the
    envelope's ``party_answers``); reviewed per party after the opening."""

    submission = models.ForeignKey(
        Submission,
        verbose_name=_("inschrijving"),
        on_delete=models.CASCADE,
        related_name="party_answers",
        help_text=_("Inschrijving."),
    )
    requirement = models.ForeignKey(
        Requirement,
        verbose_name=_("minimumeis"),
        on_delete=models.CASCADE,
        related_name="party_answers",
        help_text=_("Eis die elke partij bindt."),
    )
    member = models.ForeignKey(
        Organisation,
        verbose_name=_("lid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Bevestigd lid van de combinatie dat antwoordt."),
    )
    subcontractor = models.ForeignKey(
        Subcontractor,
        verbose_name=_("onderaannemer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="answers",
        help_text=_("Onderaannemer die antwoordt."),
    )
    met = models.BooleanField(_("voldaan"), help_text=_("Antwoord van deze partij (ja/nee)."))

    class Meta:
        ordering = ["submission", "requirement__code", "pk"]
        verbose_name = _("antwoord van een partij")
        verbose_name_plural = _("antwoorden van partijen")
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=True) ^ Q(subcontractor__isnull=True),
                name="party_answer_one_party",
            ),
            models.UniqueConstraint(
                fields=["submission", "requirement", "member"],
                condition=Q(member__isnull=False),
                name="party_answer_member_unique",
            ),
            models.UniqueConstraint(
                fields=["submission", "requirement", "subcontractor"],
                condition=Q(subcontractor__isnull=False),
                name="party_answer_subcontractor_unique",
            ),
        ]

    @property
    def party_label(self) -> str:
        """The party as the reasons name it: "lid <name> (<kvk>)" or "onderaannemer …"."""
        if self.member_id is not None:
            return f"lid {self.member.name} ({self.member.kvk})"
        return f"onderaannemer {self.subcontractor.name} ({self.subcontractor.kvk})"


class AdmissionBatch(models.Model):
    """Open House: a batch of applications opened together with four-eyes. The first
    confirmation fixes what is in it (every sealed current application not yet in a batch);
    the second, by another authorised person, opens it (decrypts its envelopes, proces-verbaal).
    ``contracts.services.admission``."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="admission_batches",
        help_text=_("Aanbesteding (Open House)."),
    )
    number = models.PositiveIntegerField(_("nummer"), help_text=_("Volgnummer van de batch."))
    cutoff = models.DateTimeField(
        _("peilmoment"),
        help_text=_("Moment van de eerste bevestiging: aanmeldingen tot dan zitten in de batch."),
    )
    first_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("eerste bevestiging door"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Eerste medewerker die de opening bevestigde."),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geopend door"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Tweede medewerker, die de opening bevestigde."),
    )
    opened_at = models.DateTimeField(
        _("geopend op"), null=True, blank=True, help_text=_("Moment van opening.")
    )

    class Meta:
        ordering = ["tender", "number"]
        verbose_name = _("openingsbatch")
        verbose_name_plural = _("openingsbatches")
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="admission_batch_number"),
        ]

    def __str__(self):
        return f"{self.tender.slug} batch {self.number}"


class OfferInvitation(models.Model):
    """The invitation of one selected candidate to hand in an offer (round 2 of the restricted
    procedure) for one segment; made when the segment's selection standstill ended without an
    open objection (``contracts.services.invitations``). Only the invited may open round 2."""

    tender = models.ForeignKey(
        Tender,
        verbose_name=_("aanbesteding"),
        on_delete=models.CASCADE,
        related_name="offer_invitations",
        help_text=_("Aanbesteding."),
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.CASCADE,
        related_name="offer_invitations",
        help_text=_("Segment waarvoor de kandidaat is uitgenodigd."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("kandidaat"),
        on_delete=models.PROTECT,
        related_name="offer_invitations",
        help_text=_("Geselecteerde kandidaat (penvoerder van een combinatie)."),
    )
    invited_at = models.DateTimeField(
        _("uitgenodigd op"), auto_now_add=True, help_text=_("Moment van uitnodigen.")
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uitgenodigd door"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Medewerker die de uitnodiging verstuurde."),
    )

    class Meta:
        ordering = ["tender", "segment__code", "organisation__name"]
        verbose_name = _("uitnodiging tot inschrijving")
        verbose_name_plural = _("uitnodigingen tot inschrijving")
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "organisation"], name="offer_invitation_once"
            ),
        ]

    def __str__(self):
        return f"{self.segment.code}: {self.organisation}"


# -- People of an organisation ---------------------------


class OrganisationMembership(models.Model):
    """Ties a provider user (group 'aanbieder') to the organisation it acts for. One
    organisation per user for now; the provider portal manages these."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gebruiker"),
        on_delete=models.CASCADE,
        related_name="organisation_membership",
        help_text=_("Gebruiker met de rol zorgaanbieder."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisatie"),
        on_delete=models.CASCADE,
        related_name="memberships",
        help_text=_("Organisatie namens welke de gebruiker handelt."),
    )
    is_admin = models.BooleanField(
        _("beheerder"),
        default=False,
        help_text=_("Mag de gebruikers van de organisatie beheren."),
    )
    email_verified = models.BooleanField(
        _("e-mailadres bevestigd"),
        default=True,
        help_text=_(
            "Na zelf registreren pas na de bevestigingslink; tot dan kan de gebruiker niet "
            "indienen. Wie via een uitnodiging komt, bevestigde het adres daarmee al."
        ),
    )
    created_at = models.DateTimeField(
        _("aangemaakt"), auto_now_add=True, help_text=_("Moment van aanmaken.")
    )

    class Meta:
        verbose_name = _("lidmaatschap organisatie")
        verbose_name_plural = _("lidmaatschappen organisaties")

    def __str__(self):
        return f"{self.user} – {self.organisation}"


# The provider portal's organisations, invitations, combinations and UEA forms.
from .document_models import (  # noqa: E402, F401  (models of this app in their own module)
    DocumentKind,
    EncryptedFile,
    SubmissionDocument,
    SubmissionEnvelope,
    TenderDataKey,
)
from .organisation_models import OrganisationInvitation, UEADeclaration  # noqa: E402, F401
