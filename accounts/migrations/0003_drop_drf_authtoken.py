"""DRF's authtoken app is gone (issue 13: ``accounts.ApiToken`` replaces it). Its table, left
behind in databases made before, still references ``auth_user``: deleting a user with an old
token, or a flush, would fail on it. Its keys no longer authenticate anything, so the table is
dropped (with the app's rows in ``django_migrations``, so that adding the app back later starts
clean)."""

from django.db import migrations


def forget_authtoken_migrations(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["authtoken"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_api_tokens")]
    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop),
        migrations.RunPython(forget_authtoken_migrations, migrations.RunPython.noop),
    ]
