"""The tender's communication with the market: news, key dates, the newsletter with double
opt-in, and moving the deadline. Sessions are in ``sessions.py``, notas in ``questions.py``.

Only a tender that is not a draft is public (``is_public``); the public site, its API and its
mails follow that one rule.
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.ratelimit import rate_limit
from audit.services import audit_record
from tender.constants import Procedure, TenderState
from tender.errors import ApplicationError
from tender.models import Tender
from tender.services.mail import absolute_url, local_display, mail_after_commit, mail_render

from ..models import KeyDate, NewsItem, NewsletterSubscription
from ..permissions import can_manage_tender_communication, can_move_deadline

NEWSLETTER_CONFIRM_SALT = "tender.newsletter.confirm"
NEWSLETTER_UNSUBSCRIBE_SALT = "tender.newsletter.unsubscribe"
NEWSLETTER_CONFIRM_MAX_AGE = timedelta(days=7)
NEWSLETTER_RESEND_AFTER = timedelta(minutes=10)


def is_public(tender: Tender) -> bool:
    """Everything but a draft is on the public site (a cancelled tender says so there)."""
    return tender.is_public()


def require_manager(user, tender: Tender) -> None:
    if not can_manage_tender_communication(user, tender):
        raise ApplicationError(_("U mag de communicatie van deze aanbesteding niet beheren."))


def _saved(instance):
    instance.full_clean()
    instance.save()
    return instance


# -- news ---------------------------------------------------------------------------------


@transaction.atomic
def news_item_save(
    *,
    tender: Tender,
    user,
    title: str,
    body: str,
    published: bool = True,
    published_at: datetime | None = None,
    mail_subscribers: bool = False,
    item: NewsItem | None = None,
    base_url: str = "",
) -> NewsItem:
    """Create (``item`` None) or change a news item. With ``mail_subscribers`` a published
    item of a public tender is mailed once to the confirmed newsletter subscribers; it is never
    mailed twice, also not after a change."""
    require_manager(user, tender)
    if item is not None and item.tender_id != tender.pk:
        raise ApplicationError(_("Dit bericht hoort niet bij deze aanbesteding."))
    item = item or NewsItem(tender=tender)
    item.title, item.body, item.published = title.strip(), body.strip(), published
    item.published_at = published_at or item.published_at or timezone.now()
    _saved(item)
    if mail_subscribers and published and is_public(tender) and item.mailed_at is None:
        item.mailed_at = timezone.now()
        item.save(update_fields=["mailed_at"])
        url = absolute_url(reverse("public-news-detail", args=[tender.slug, item.pk]), base_url)
        mail_after_commit(
            mail_render(
                "newsletter_news",
                {"tender": tender, "item": item, "url": url},
                email,
                unsubscribe_url=newsletter_unsubscribe_url(tender, email, base_url),
            )
            for email in newsletter_recipients(tender)
        )
    return item


@transaction.atomic
def news_item_delete(*, item: NewsItem, user) -> None:
    require_manager(user, item.tender)
    item.delete()


# -- key dates ----------------------------------------------------------------------------


@transaction.atomic
def key_date_save(
    *, tender: Tender, user, label: str, date, note: str = "", key_date: KeyDate | None = None
) -> KeyDate:
    """Create or change one entry of the 'Belangrijke data'. The deadline is never one of them:
    it is shown from the tender itself and changes only through ``tender_deadline_move``."""
    require_manager(user, tender)
    if key_date is not None and key_date.tender_id != tender.pk:
        raise ApplicationError(_("Deze datum hoort niet bij deze aanbesteding."))
    key_date = key_date or KeyDate(tender=tender)
    key_date.label, key_date.date, key_date.note = label.strip(), date, note.strip()
    return _saved(key_date)


@transaction.atomic
def key_date_delete(*, key_date: KeyDate, user) -> None:
    require_manager(user, key_date.tender)
    key_date.delete()


# -- newsletter (double opt-in) -----------------------------------------------------------


def _newsletter_token(tender: Tender, email: str, salt: str) -> str:
    return signing.dumps({"t": tender.pk, "e": email}, salt=salt, compress=True)


def newsletter_unsubscribe_url(tender: Tender, email: str, base_url: str = "") -> str:
    token = _newsletter_token(tender, email, NEWSLETTER_UNSUBSCRIBE_SALT)
    return absolute_url(
        reverse("public-newsletter-unsubscribe", args=[tender.slug, token]), base_url
    )


def newsletter_recipients(tender: Tender) -> list[str]:
    """Confirmed addresses only; nothing public ever lists them."""
    return list(
        NewsletterSubscription.objects.filter(tender=tender, confirmed_at__isnull=False)
        .order_by("email")
        .values_list("email", flat=True)
    )


@transaction.atomic
def newsletter_subscribe(
    *, tender: Tender, email: str, base_url: str = "", client_address: str | None = None
) -> None:
    """Step 1 of the double opt-in: store the address unconfirmed and mail a signed link.

    Says nothing about whether the address was known (the caller shows one message whatever
    happened), mails a confirmed address nothing, and sends an unconfirmed one at most one
    confirmation mail per 10 minutes, so the form cannot be used to flood a mailbox; the
    rate limit per client address and e-mail address (``accounts.ratelimit``) keeps one sender
    from mailing many addresses, or one address about many tenders.
    """
    if not is_public(tender):
        raise ApplicationError(_("Deze aanbesteding is niet openbaar."))
    rate_limit("newsletter", address=client_address, account=email)
    email = email.strip().lower()
    subscription, _created = NewsletterSubscription.objects.select_for_update().get_or_create(
        tender=tender, email=email
    )
    subscription.full_clean()
    now = timezone.now()
    if subscription.confirmed_at is not None or (
        subscription.confirmation_sent_at
        and now - subscription.confirmation_sent_at < NEWSLETTER_RESEND_AFTER
    ):
        return
    subscription.confirmation_sent_at = now
    subscription.save(update_fields=["confirmation_sent_at"])
    token = _newsletter_token(tender, email, NEWSLETTER_CONFIRM_SALT)
    confirm_url = absolute_url(
        reverse("public-newsletter-confirm", args=[tender.slug, token]), base_url
    )
    mail_after_commit(
        [
            mail_render(
                "newsletter_confirm",
                {
                    "tender": tender,
                    "confirm_url": confirm_url,
                    "valid_days": NEWSLETTER_CONFIRM_MAX_AGE.days,
                },
                email,
                unsubscribe_url=newsletter_unsubscribe_url(tender, email, base_url),
            )
        ]
    )


def _unsign(tender: Tender, token: str, salt: str, max_age: timedelta | None) -> str:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ApplicationError(
            _("Deze link is verlopen. Meld u opnieuw aan voor de nieuwsbrief."), field="token"
        ) from exc
    except signing.BadSignature as exc:
        raise ApplicationError(_("Deze link is ongeldig."), field="token") from exc
    if not isinstance(data, dict) or data.get("t") != tender.pk or not data.get("e"):
        raise ApplicationError(_("Deze link is ongeldig."), field="token")
    return data["e"]


@transaction.atomic
def newsletter_confirm(*, tender: Tender, token: str) -> NewsletterSubscription:
    """Step 2: the signed link from the mail (valid 7 days) confirms the address."""
    email = _unsign(tender, token, NEWSLETTER_CONFIRM_SALT, NEWSLETTER_CONFIRM_MAX_AGE)
    subscription = (
        NewsletterSubscription.objects.select_for_update()
        .filter(tender=tender, email=email)
        .first()
    )
    if subscription is None:
        raise ApplicationError(
            _("Deze aanmelding bestaat niet meer. Meld u opnieuw aan voor de nieuwsbrief."),
            field="token",
        )
    if subscription.confirmed_at is None:
        subscription.confirmed_at = timezone.now()
        subscription.save(update_fields=["confirmed_at"])
    return subscription


@transaction.atomic
def newsletter_unsubscribe(*, tender: Tender, token: str) -> None:
    """The link in every mail (no expiry) deletes the subscription; using it twice is fine."""
    email = _unsign(tender, token, NEWSLETTER_UNSUBSCRIBE_SALT, None)
    NewsletterSubscription.objects.filter(tender=tender, email=email).delete()


# -- the market: registered bidders and subscribers ---------------------------------------


def registered_bidder_addresses(tender: Tender) -> list[str]:
    """The addresses of the tender's registered bidders (docs/rules.md): organisations with a
    membership (a provider user) that asked a question about the tender or registered for one
    of its sessions, also when that registration was cancelled later. Per organisation: the
    e-mail of every active member user and the organisation's contact address.
    """
    asked = Q(organisation_membership__organisation__questions__tender=tender)
    registered = Q(
        organisation_membership__organisation__session_registrations__session__tender=tender
    )
    rows = (
        get_user_model()
        .objects.filter(asked | registered, is_active=True)
        .values_list("email", "organisation_membership__organisation__contact_email")
        .distinct()
    )
    return sorted({address.strip().lower() for row in rows for address in row if address})


def market_mail(tender: Tender, template: str, context: dict, *, base_url: str = "") -> None:
    """Mail everyone following the tender: registered bidders and confirmed newsletter
    subscribers, each address once; subscribers' mails carry their unsubscribe link."""
    subscribers = set(newsletter_recipients(tender))
    mail_after_commit(
        mail_render(
            template,
            {**context, "tender": tender},
            email,
            unsubscribe_url=(
                newsletter_unsubscribe_url(tender, email, base_url)
                if email in subscribers
                else None
            ),
        )
        for email in sorted(subscribers | set(registered_bidder_addresses(tender)))
    )


# -- the deadline -------------------------------------------------------------------------


@transaction.atomic
def tender_deadline_move(
    *,
    tender: Tender,
    new_deadline: datetime,
    user,
    client_address: str | None = None,
    base_url: str = "",
) -> Tender:
    """Move the deadline (sluitingstermijn); audited, and announced to registered bidders and
    newsletter subscribers when the tender is public.

    Refused for anyone but inkoper and voorzitter, for a cancelled tender, once the current
    deadline has passed, for a new deadline that is not in the future, and, once the tender
    is public, for an earlier deadline: bidders may rely on the time they were given.

    The deadline moved is the one of the round open now (``Tender.round_deadline``): while the
    offers of a restricted tender are open, ``offers_deadline`` (docs/rules.md, "Rounds").
    """
    tender = Tender.objects.select_for_update().get(pk=tender.pk)
    field = (
        "offers_deadline"
        if tender.procedure == Procedure.RESTRICTED and tender.state == TenderState.OFFERS_OPEN
        else "deadline"
    )
    current = getattr(tender, field)
    if not can_move_deadline(user, tender):
        raise ApplicationError(_("U mag de sluitingstermijn niet wijzigen."), field="deadline")
    if tender.state == TenderState.CANCELLED:
        raise ApplicationError(_("De aanbesteding is ingetrokken."), field="deadline")
    now = timezone.now()
    if tender.deadline_passed(now):
        raise ApplicationError(
            _("Een verstreken sluitingstermijn kan niet meer worden gewijzigd."), field="deadline"
        )
    if new_deadline <= now:
        raise ApplicationError(
            _("De nieuwe sluitingstermijn moet in de toekomst liggen."), field="new_deadline"
        )
    if new_deadline == current:
        raise ApplicationError(
            _("De nieuwe sluitingstermijn is gelijk aan de huidige."), field="new_deadline"
        )
    if is_public(tender) and current is not None and new_deadline < current:
        raise ApplicationError(
            _(
                "Een gepubliceerde sluitingstermijn kan alleen later worden gezet; "
                "inschrijvers rekenen op de tijd die zij hebben gekregen."
            ),
            field="new_deadline",
        )
    previous = current
    setattr(tender, field, new_deadline)
    tender.save(update_fields=[field, "updated_at"])
    audit_record(
        action="tender.deadline_move",
        actor=user,
        obj=tender,
        tender=tender,
        client_address=client_address,
        details={
            "from": previous.isoformat() if previous else None,
            "to": new_deadline.isoformat(),
            **({"round": "offer"} if field == "offers_deadline" else {}),
        },
    )
    deadline_moved_mail(tender=tender, previous=previous, deadline=new_deadline, base_url=base_url)
    return tender


@transaction.atomic
def deadline_moved_mail(
    *, tender: Tender, previous: datetime, deadline: datetime, base_url: str = ""
) -> None:
    """Mail the registered candidates and the subscribers that a deadline moved (after
    commit); nothing for a tender that is not public."""
    if not is_public(tender):
        return
    market_mail(
        tender,
        "deadline_moved",
        {
            "previous": local_display(previous),
            "deadline": local_display(deadline),
            "url": absolute_url(reverse("public-tender", args=[tender.slug]), base_url),
        },
        base_url=base_url,
    )
