"""Factories for a small tender world, with traits for the states the tests need.

For a test that needs one tender with a segment, a bid or a few scores rather than the whole
Achterhoek demo (``demo_tender``)::

    tender = TenderFactory(requests_opened=True)
    segment = SegmentFactory(tender=tender)
    criterion = CriterionFactory(segment=segment)
    dossier = DossierFactory(segment=segment, submission__submitted=True)
    ScoreFactory(dossier=dossier, criterion=criterion, submitted=True)
    FinalLevelFactory(dossier=dossier, criterion=criterion)

Traits name the lifecycle states: a (restricted) tender is ``published``, ``requests_open``,
``requests_closed`` (deadline passed), ``requests_opened``, in ``selection`` or ``award`` or
``awarded``; a submission is ``submitted`` (sealed, with its receipt time and hash) or
``withdrawn``; a score is ``submitted``; a dossier is ``scored`` (two evaluators, every
criterion submitted) or ``final`` (scored and a consensus level per criterion).
"""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from evaluation.models import Evaluator, FinalLevel, Score
from providers.models import Dossier, Submission
from tender.constants import TenderState
from tender.models import Criterion, Lot, Municipality, Region, Segment, Tender
from tests.providers.factories import OrganisationFactory


def _now():
    return timezone.now()


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"GM{9000 + n:04d}")
    name = factory.Sequence(lambda n: f"Gemeente {n}")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"regio-{n}")
    name = factory.Sequence(lambda n: f"Regio {n}")

    @factory.post_generation
    def municipalities(self, create, extracted, **kwargs):
        """``RegionFactory(municipalities=[...])``; one new municipality when not given."""
        if not create:
            return
        self.municipalities.add(*(extracted or [MunicipalityFactory()]))


class TenderFactory(factory.django.DjangoModelFactory):
    """A draft tender (deadline 30 days ahead) unless a state trait says otherwise."""

    class Meta:
        model = Tender
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"inkoop-{n}")
    title = factory.LazyAttribute(lambda o: f"Inkoop zorg ({o.slug})")
    region = factory.SubFactory(RegionFactory)
    procedure = "restricted"
    state = TenderState.DRAFT
    deadline = factory.LazyFunction(lambda: _now() + timedelta(days=30))
    standstill_days = 20

    class Params:
        deadline_passed = factory.Trait(
            deadline=factory.LazyFunction(lambda: _now() - timedelta(days=1))
        )
        published = factory.Trait(state=TenderState.PUBLISHED)
        requests_open = factory.Trait(state=TenderState.REQUESTS_OPEN)
        requests_closed = factory.Trait(state=TenderState.REQUESTS_CLOSED, deadline_passed=True)
        requests_opened = factory.Trait(state=TenderState.REQUESTS_OPENED, deadline_passed=True)
        selection = factory.Trait(state=TenderState.SELECTION, deadline_passed=True)
        award = factory.Trait(state=TenderState.AWARD, deadline_passed=True)
        awarded = factory.Trait(state=TenderState.AWARDED, deadline_passed=True)


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lot

    tender = factory.SubFactory(TenderFactory)
    code = factory.Sequence(lambda n: f"L{n}")
    name = factory.Sequence(lambda n: f"Perceel {n}")


class SegmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Segment

    tender = factory.SubFactory(TenderFactory)
    lot = factory.SubFactory(LotFactory, tender=factory.SelfAttribute("..tender"))
    code = factory.Sequence(lambda n: f"SEG-{n}")
    name = factory.Sequence(lambda n: f"Segment {n}")
    places = 2
    start_date = date(2027, 1, 1)
    tariff = Decimal("62.50")


class CriterionFactory(factory.django.DjangoModelFactory):
    """A selection criterion of 10 points; ``phase="award"`` for an award criterion."""

    class Meta:
        model = Criterion

    segment = factory.SubFactory(SegmentFactory)
    code = factory.Sequence(lambda n: f"C{n}")
    name = factory.Sequence(lambda n: f"Criterium {n}")
    phase = "selection"
    max_points = Decimal("10")


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A bidder's current draft; ``submitted=True`` seals it before the deadline."""

    class Meta:
        model = Submission

    tender = factory.SubFactory(TenderFactory)
    round = factory.LazyAttribute(lambda o: o.tender.rounds[0])
    bidder = factory.SubFactory(OrganisationFactory)
    version = 1
    is_current = True

    class Params:
        submitted = factory.Trait(
            state="sealed",
            submitted_at=factory.LazyAttribute(
                lambda o: min(_now(), o.tender.deadline - timedelta(hours=1))
            ),
            content_hash=factory.LazyAttribute(
                lambda o: hashlib.sha256(f"{o.tender.slug}/{o.bidder.kvk}".encode()).hexdigest()
            ),
        )
        withdrawn = factory.Trait(
            submitted=True,
            state="withdrawn",
            is_current=False,
            withdrawn_at=factory.LazyFunction(_now),
        )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"beoordelaar-{n}")
    first_name = factory.Sequence(lambda n: f"Beoordelaar {n}")


class EvaluatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evaluator

    tender = factory.SubFactory(TenderFactory)
    user = factory.SubFactory(UserFactory)
    name = factory.LazyAttribute(lambda o: o.user.first_name or o.user.username)
    is_chair = False

    class Params:
        chair = factory.Trait(is_chair=True)


class ScoreFactory(factory.django.DjangoModelFactory):
    """One evaluator's level for one criterion; a draft unless ``submitted=True``."""

    class Meta:
        model = Score

    dossier = factory.SubFactory("tests.factories.DossierFactory")
    criterion = factory.SubFactory(
        CriterionFactory, segment=factory.SelfAttribute("..dossier.segment")
    )
    evaluator = factory.SubFactory(
        EvaluatorFactory, tender=factory.SelfAttribute("..dossier.segment.tender")
    )
    level = Decimal("0.5")
    rationale = "Onderbouwing"

    class Params:
        submitted = factory.Trait(submitted_at=factory.LazyFunction(_now))


class FinalLevelFactory(factory.django.DjangoModelFactory):
    """The consensus level of one criterion of one dossier."""

    class Meta:
        model = FinalLevel

    dossier = factory.SubFactory("tests.factories.DossierFactory")
    criterion = factory.SubFactory(
        CriterionFactory, segment=factory.SelfAttribute("..dossier.segment")
    )
    level = Decimal("0.5")
    rationale = "Consensus"


class DossierFactory(factory.django.DjangoModelFactory):
    """A bid on one segment, in a submission of the segment's tender.

    ``scored=True``: two evaluators submitted a level for every criterion of the segment (give
    the segment its criteria first); ``final=True``: scored, and a consensus level for each.
    ``scores__levels`` (a dict criterion code -> level) sets those levels; 0.5 otherwise.
    """

    class Meta:
        model = Dossier
        skip_postgeneration_save = True

    segment = factory.SubFactory(SegmentFactory)
    submission = factory.SubFactory(
        SubmissionFactory, tender=factory.SelfAttribute("..segment.tender")
    )

    class Params:
        scored = factory.Trait(submission__submitted=True, scores__evaluations=2)
        final = factory.Trait(scored=True, scores__consensus=True)

    @factory.post_generation
    def scores(self, create, extracted, evaluations=0, consensus=False, levels=None, **kwargs):
        """``scores__levels`` (criterion code -> level) sets the levels; 0.5 otherwise."""
        if not create or not evaluations:
            return
        tender = self.segment.tender
        evaluators = list(tender.evaluators.order_by("pk")[:evaluations])
        while len(evaluators) < evaluations:
            evaluators.append(EvaluatorFactory(tender=tender))
        for criterion in self.segment.criteria.all():
            level = Decimal(str((levels or {}).get(criterion.code, "0.5")))
            for evaluator in evaluators:
                ScoreFactory(
                    dossier=self,
                    criterion=criterion,
                    evaluator=evaluator,
                    level=level,
                    submitted=True,
                )
            if consensus:
                FinalLevelFactory(dossier=self, criterion=criterion, level=level)
