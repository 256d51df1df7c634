"""Make an API token for a user (an integration of a municipal user, whose own screens offer
no tokens: a token passes no second factor). Prints the key once; only its hash is kept."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.tokens import api_token_create


class Command(BaseCommand):
    help = "Maak een API-token voor een gebruiker en toon de sleutel (eenmalig)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="Waarvoor het token is, bijvoorbeeld 'Koppeling BI'.")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Actieve gebruiker {username!r} bestaat niet.")
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("Geef een naam van 1 tot 100 tekens.")
        token, key = api_token_create(user=user, name=name, client_address=None)
        self.stdout.write(key)
        self.stderr.write(f"Verloopt op {token.expires_at:%Y-%m-%d %H:%M} UTC.")
