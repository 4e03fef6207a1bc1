"""Load version 1 of the observation questionnaire (shipped, no organisation) and publish it."""

from django.db import migrations
from django.utils import timezone


def fill_questionnaire(apps, schema_editor):
    from defensor.monitoring import questionnaire_file

    Questionnaire = apps.get_model("monitoring", "Questionnaire")
    Provision = apps.get_model("standards", "Provision")
    spec = questionnaire_file.parse(questionnaire_file.SHIPPED_V1.read_bytes(), name="questionnaire-v1.toml")
    if Questionnaire.objects.filter(organisation__isnull=True, label=spec.label).exists():
        return
    questionnaire = questionnaire_file.build(
        spec,
        questionnaire_model=Questionnaire,
        section_model=apps.get_model("monitoring", "Section"),
        question_model=apps.get_model("monitoring", "Question"),
        provision_model=Provision,
        source="questionnaire-v1.toml",
    )
    questionnaire.status = "published"
    questionnaire.published_at = timezone.now()
    questionnaire.save()


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0001_initial"),
        ("standards", "0002_fill_standards"),
    ]

    operations = [
        # Going back leaves the version in place: observations point at it, and nothing is ever lost.
        migrations.RunPython(fill_questionnaire, migrations.RunPython.noop),
    ]
