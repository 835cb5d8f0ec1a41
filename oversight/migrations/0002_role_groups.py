"""Create the staff role groups (city union staff, district chief, station manager,
liaison, third-party inspector) with their permissions.

Permissions of models that are not migrated yet are added by the post_migrate
handler (oversight.apps), which runs the same function after every migrate.
"""

from django.db import migrations


def create_groups(apps, schema_editor):
    from oversight.roles import sync_role_groups

    sync_role_groups(apps=apps)


def remove_groups(apps, schema_editor):
    from oversight.roles import ROLE_PERMISSIONS

    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("oversight", "0001_staff_scope"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
