"""``manage.py setup_roles``: create or refresh the editors' and viewers' groups."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

MODELS = ["article", "person", "tag", "personalias", "tagalias"]

#: Group name -> codenames of its permissions on the archive's models.  Members
#: also need "staff status" to log in to the admin.
ROLES = {
    "editor": [f"{action}_{model}" for model in MODELS for action in ("view", "change", "delete")],
    "viewer": [f"view_{model}" for model in MODELS],
}


class Command(BaseCommand):
    help = (
        "Create or refresh the groups 'editor' (change articles, people and tags; merge; "
        "delete) and 'viewer' (see everything in the admin, change nothing). Idempotent."
    )

    def handle(self, **options):
        for name, codenames in ROLES.items():
            group, created = Group.objects.get_or_create(name=name)
            permissions = Permission.objects.filter(
                content_type__app_label="articles", codename__in=codenames
            )
            group.permissions.set(permissions)
            self.stdout.write(
                f"{'created' if created else 'updated'} group {name!r}: "
                f"{permissions.count()} permissions"
            )
