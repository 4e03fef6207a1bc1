"""Load the standards catalogue from the data files into a new database."""

from django.db import migrations


def fill_standards(apps, schema_editor):
    from defensor.standards.loader import load

    load(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("standards", "0001_initial"),
    ]

    operations = [
        # Going back leaves the rows in place: other apps' rows point at them, and nothing is ever lost.
        migrations.RunPython(fill_standards, migrations.RunPython.noop),
    ]
