"""Admin of the identity app: external identities and directory configurations."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from esup_saas.tenancy.admin import PersonAdmin

from .models import DirectoryConfig, ExternalIdentity
from .services import person_merge


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ("eppn", "person", "organisation", "last_method", "last_seen_at")
    list_filter = ("last_method", "organisation")
    search_fields = ("eppn", "person__last_name", "person__first_name", "person__email")
    raw_id_fields = ("person",)
    readonly_fields = ("attributes", "profile", "created_at", "last_seen_at", "directory_dn")


class DirectoryConfigForm(forms.ModelForm):
    """The bind password is never sent back to the browser; left empty, it is unchanged."""

    bind_password = forms.CharField(
        label=DirectoryConfig._meta.get_field("bind_password").verbose_name,
        widget=forms.PasswordInput(render_value=False),
        required=False,
        help_text=_("Laisser vide pour conserver le mot de passe enregistré."),
    )

    class Meta:
        model = DirectoryConfig
        fields = [f.name for f in DirectoryConfig._meta.fields if f.editable and not f.primary_key]

    def clean_bind_password(self) -> str:
        value = self.cleaned_data.get("bind_password", "")
        if not value and self.instance.pk:
            return self.instance.bind_password
        return value


@admin.register(DirectoryConfig)
class DirectoryConfigAdmin(admin.ModelAdmin):
    form = DirectoryConfigForm
    list_display = ("organisation", "url", "base_dn", "group_style", "updated_at")
    search_fields = ("organisation__name", "url", "base_dn")


@admin.action(description=_("Fusionner les deux personnes choisies (la plus ancienne est gardée)"))
def merge_two_persons(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> None:
    """Admin action on persons: merge exactly two into the older one (``person_merge``).

    The same as ``esup-saas merge-persons KEEP DROP``; any other selection size is refused
    with a message and changes nothing.
    """
    persons = list(queryset.order_by("pk")[:3])
    if len(persons) != 2:
        modeladmin.message_user(
            request, _("Choisissez exactement deux personnes à fusionner."), messages.ERROR
        )
        return
    keep, drop = persons
    try:
        person_merge(keep=keep, drop=drop)
    except ValidationError as error:
        modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
        return
    modeladmin.message_user(
        request,
        _("%(drop)s a été fusionnée dans %(keep)s.") % {"drop": drop, "keep": keep},
        messages.SUCCESS,
    )


# The person admin belongs to tenancy, which may not import identity: the action is added here.
PersonAdmin.actions = (*(PersonAdmin.actions or ()), merge_two_persons)
