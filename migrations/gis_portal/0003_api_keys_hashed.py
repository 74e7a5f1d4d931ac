"""Remove the API keys DRF's ``authtoken`` kept in plain text; keys are now knox digests.

A plain key cannot be turned into a digest without being kept readable until then, so the
old keys are not converted: they stop working, and their holders are listed so that new
keys can be issued (``manage.py issue_token USER``). There is no way back: the reverse does
nothing.
"""

from django.db import migrations

LEGACY_TABLE = "authtoken_token"


def plaintext_keys_remove(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if LEGACY_TABLE in connection.introspection.table_names(cursor):
            cursor.execute(
                f"SELECT u.username FROM {LEGACY_TABLE} t JOIN auth_user u ON u.id = t.user_id"
                " ORDER BY u.username"
            )
            holders = [row[0] for row in cursor.fetchall()]
            cursor.execute(f"DROP TABLE {LEGACY_TABLE} CASCADE")
            if holders:
                print(  # noqa: T201 - the operator must re-issue these keys
                    f"\n  Plain-text API keys removed; issue new ones for: {', '.join(holders)}"
                )
        cursor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")
    # The permissions of the old token admin, and the groups' grants of them.
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("gis_portal", "0002_officerscope"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [migrations.RunPython(plaintext_keys_remove, migrations.RunPython.noop)]
