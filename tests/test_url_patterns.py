"""config.url_patterns: a row link reversed once per page gives the URL reverse gives."""

from django.urls import reverse

from config.url_patterns import url_pattern


def test_a_filled_pattern_is_the_reversed_url():
    pattern = url_pattern("scoring-dossier", "inkoop-2022", "selection")
    for pk in (1, 42, 9_000_001):
        assert pattern.format(pk) == reverse(
            "scoring-dossier", args=["inkoop-2022", "selection", pk]
        )
