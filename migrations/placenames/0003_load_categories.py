# Loads the category code table from placenames/data/categories.csv (data, not code).

from django.db import migrations

from placenames.codes import read_categories


def load_categories(apps, schema_editor):
    PlaceCategory = apps.get_model("placenames", "PlaceCategory")
    by_code = {}
    for row in read_categories():
        category, _ = PlaceCategory.objects.update_or_create(
            code=row.code,
            defaults={
                "name": row.name,
                "parent": by_code.get(row.parent_code),
                "census_class": row.census_class,
                "confidence": row.confidence,
            },
        )
        by_code[row.code] = category


class Migration(migrations.Migration):
    dependencies = [("placenames", "0002_placename")]

    operations = [migrations.RunPython(load_categories, migrations.RunPython.noop)]
