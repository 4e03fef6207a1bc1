"""Users, organisations (the tenants), roles with capability flags, memberships, invitations."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from defensor.core.permissions import Capability


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)
    # Demo accounts may skip the second factor, and only while DEFENSOR_DEMO=1.
    is_demo = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Organisation(models.Model):
    """The tenant: an organisation owns its data; a coalition is several on one deployment."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), unique=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code"))
    website = models.URLField(_("website"), blank=True)
    default_language = models.CharField(_("default language"), max_length=8, choices=settings.LANGUAGES, default="en")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


class Role(models.Model):
    """A named set of capabilities inside one organisation; administrators may adjust it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="roles")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("Leave empty to use the default name."))
    can_view = models.BooleanField(_("view"), default=True)
    can_view_confidential = models.BooleanField(_("view confidential"), default=False)
    can_edit = models.BooleanField(_("edit"), default=False)
    can_export = models.BooleanField(_("export"), default=False)
    can_publish = models.BooleanField(_("publish"), default=False)
    can_manage_members = models.BooleanField(_("manage members"), default=False)
    can_administer = models.BooleanField(_("administer"), default=False)

    CAPABILITY_FIELDS = {
        Capability.VIEW: "can_view",
        Capability.VIEW_CONFIDENTIAL: "can_view_confidential",
        Capability.EDIT: "can_edit",
        Capability.EXPORT: "can_export",
        Capability.PUBLISH: "can_publish",
        Capability.MANAGE_MEMBERS: "can_manage_members",
        Capability.ADMINISTER: "can_administer",
    }

    class Meta:
        ordering = ["organisation", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="role_code_unique_per_org")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """A custom name if the organisation gave one, else the default role's name in the user's language."""
        from defensor.accounts.roles import DEFAULT_ROLE_BY_CODE

        if self.name:
            return self.name
        default = DEFAULT_ROLE_BY_CODE.get(self.code)
        return str(default.name) if default else self.code

    def capabilities(self) -> frozenset[str]:
        return frozenset(str(cap) for cap, field in self.CAPABILITY_FIELDS.items() if getattr(self, field))


class Membership(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DISABLED = "disabled", _("Disabled")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Invitation(models.Model):
    """A single-use, expiring invitation; only the SHA-256 of its token is stored."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()

    def state(self) -> str:
        if self.accepted_at:
            return str(_("accepted"))
        if self.revoked_at:
            return str(_("revoked"))
        if self.expires_at <= timezone.now():
            return str(_("expired"))
        return str(_("pending"))
