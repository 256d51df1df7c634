#!/usr/bin/env python
"""Compile the project's translations (locale/<lang>/LC_MESSAGES/django.po -> django.mo).

Equivalent to ``django-admin compilemessages`` limited to this project's own locale
directory, so the virtualenv and node_modules are not searched. Needs GNU gettext
(``msgfmt``); the resulting .mo files are committed, so no gettext is needed at run time.

Usage, from anywhere (``make messages`` runs it):

    .venv/bin/python scripts/compile_messages.py

After adding or changing translatable strings, first refresh the catalogue with:

    .venv/bin/python manage.py makemessages -l en --ignore=.venv --ignore=node_modules \
        --ignore=static --ignore=staticfiles --no-obsolete
"""

import os
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCALES = ["en"]
IGNORE_PATTERNS = [".venv", "node_modules", "static", "staticfiles", ".git"]


def main() -> None:
    # compilemessages works relative to the current directory: run from the project root.
    os.chdir(PROJECT_ROOT)
    sys.path.insert(0, str(PROJECT_ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"

    import django
    from django.core.management import call_command

    django.setup()
    # compilemessages skips a catalogue whose .mo is newer than its .po; after a merge (or a
    # checkout of one side's .mo) that .mo may lack strings: always compile.
    for po in PROJECT_ROOT.glob("locale/*/LC_MESSAGES/*.po"):
        po.touch()
    call_command("compilemessages", locale=LOCALES, ignore_patterns=IGNORE_PATTERNS)


if __name__ == "__main__":
    main()
