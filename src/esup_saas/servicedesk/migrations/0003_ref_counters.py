"""Create one ref counter per ticket kind, so allocation never races on the first insert."""

from django.db import migrations


def create_counters(apps, schema_editor):
    RefCounter = apps.get_model("servicedesk", "RefCounter")
    for kind in ("incident", "user_request"):
        RefCounter.objects.get_or_create(kind=kind, defaults={"last": 0})


class Migration(migrations.Migration):
    dependencies = [("servicedesk", "0002_initial")]
    operations = [migrations.RunPython(create_counters, migrations.RunPython.noop)]
