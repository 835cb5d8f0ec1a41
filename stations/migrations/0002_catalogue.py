from django.db import migrations


def load_catalogue(apps, schema_editor):
    from stations import catalogue

    catalogue.load(apps.get_model("stations", "Amenity"), apps.get_model("stations", "WorkerGroup"))


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_initial")]
    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
