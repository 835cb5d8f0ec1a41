"""Users and groups in the admin, with each user's scope edited on the user page.

SimpleAdminConfig does not autodiscover django.contrib.auth's admin, so it is
registered here, where staff roles are defined. Only superusers manage users.
"""

from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_lazy as _

from ..models import StaffScope


class StaffScopeInline(admin.StackedInline):
    model = StaffScope
    can_delete = False
    max_num = 1
    verbose_name_plural = _("scope (where this user works)")
    filter_horizontal = ("districts",)
    autocomplete_fields = ("stations",)


class SuperuserOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


# Importing django.contrib.auth.admin registered the stock classes; replace them.
for model in (User, Group):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(User)
class UserAdmin(SuperuserOnly, auth_admin.UserAdmin):
    inlines = [StaffScopeInline]
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "roles")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, user):
        return ", ".join(sorted(group.name for group in user.groups.all()))


@admin.register(Group)
class GroupAdmin(SuperuserOnly, auth_admin.GroupAdmin):
    pass
