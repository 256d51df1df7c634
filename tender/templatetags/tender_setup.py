"""Template filters for the set-up links on the tender pages, from ``tender.permissions``.

{% load tender_setup %}
{% if user|can_create_tender %} ... {% endif %}
{% if user|can_open_setup:tender %} ... {% endif %}
"""

from django import template

from .. import permissions

register = template.Library()


@register.filter
def can_create_tender(user) -> bool:
    return permissions.can_create_tender(user)


@register.filter
def can_open_setup(user, tender) -> bool:
    return permissions.can_open_setup(user, tender)


@register.filter
def can_export_tender(user, tender) -> bool:
    return permissions.can_export_tender(user, tender)


@register.filter
def can_use_audit_log(user) -> bool:
    return permissions.can_use_audit_log(user)


@register.filter
def can_view_audit_log(user, tender) -> bool:
    return permissions.can_view_audit_log(user, tender)
