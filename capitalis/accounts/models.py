"""Users log in with their e-mail address; roles are granted per scope."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from capitalis.accounts.rules import TOKEN_TAG, Role, ScopeKind, TokenScope, token_is_live
from capitalis.core import clock

LANGUAGE_CHOICES = [("fr", _("French")), ("en", _("English"))]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: staff, learner, tutor, candidate.

    PII note: holds the person's name and e-mail address.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=LANGUAGE_CHOICES,
        default="fr",
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=clock.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


ROLE_LABELS = {
    Role.PROGRAMME_DIRECTOR: _("programme director"),
    Role.CAMPUS_COORDINATOR: _("campus coordinator"),
    Role.ADMISSIONS_OFFICER: _("admissions officer"),
    Role.LECTURER: _("lecturer"),
    Role.JURY_PRESIDENT: _("jury president"),
    Role.JURY_MEMBER: _("jury member"),
    Role.DISABILITY_REFERENT: _("disability referent"),
    Role.FINANCE: _("finance officer"),
    Role.LEARNER: _("learner"),
    Role.EMPLOYER_TUTOR: _("employer tutor"),
    Role.VAE_CANDIDATE: _("VAE candidate"),
    Role.CANDIDATE: _("candidate"),
}
SCOPE_LABELS = {
    ScopeKind.GLOBAL: _("whole school"),
    ScopeKind.CAMPUS: _("campus"),
    ScopeKind.COURSE: _("course"),
    ScopeKind.JURY_SESSION: _("certification jury session"),
    ScopeKind.ADMISSION_JURY: _("admission jury"),
}


SCOPE_CHOICES = [(s.value, SCOPE_LABELS[s]) for s in ScopeKind]


class RoleAssignment(models.Model):
    """A role granted to a user, for the whole school or limited to one campus, course,
    certification jury session or admission jury (``scope_id`` is the id of that record; later
    apps own those tables)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(
        _("role"), max_length=40, choices=[(r.value, ROLE_LABELS[r]) for r in Role]
    )
    scope = models.CharField(
        _("scope"),
        max_length=20,
        choices=SCOPE_CHOICES,
        default=ScopeKind.GLOBAL.value,
    )
    scope_id = models.PositiveBigIntegerField(_("scope id"), null=True, blank=True)
    granted_at = models.DateTimeField(_("granted at"), default=clock.now)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "scope", "scope_id"], name="role_assignment_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "scope"],
                condition=models.Q(scope_id__isnull=True),
                name="role_assignment_unique_global",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(scope=ScopeKind.GLOBAL.value, scope_id__isnull=True)
                    | (~models.Q(scope=ScopeKind.GLOBAL.value) & models.Q(scope_id__isnull=False))
                ),
                name="role_assignment_scope_id_matches_scope",
            ),
        ]

    def __str__(self) -> str:
        where = "" if self.scope_id is None else f" ({self.scope} {self.scope_id})"
        return f"{self.user} — {self.role}{where}"


TOKEN_SCOPE_LABELS = {
    TokenScope.READ: _("read only"),
    TokenScope.WRITE: _("read and write"),
}
TOKEN_SCOPE_CHOICES = [(s.value, TOKEN_SCOPE_LABELS[s]) for s in TokenScope]


class ApiToken(models.Model):
    """A personal token with which a program calls the API on its owner's behalf
    (``Authorization: Bearer cap_<prefix>_<secret>``). Only the SHA-256 hash of the secret is
    stored: the token is shown once, at creation. Revoked tokens are kept (who had which).

    PII note: points to a person (``user``); its name is chosen by that person.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(_("secret hash (SHA-256)"), max_length=64)
    scope = models.CharField(
        _("scope"),
        max_length=10,
        choices=TOKEN_SCOPE_CHOICES,
        default=TokenScope.READ.value,
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scope__in=[s.value for s in TokenScope]),
                name="api_token_scope_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_TAG}_{self.prefix}_…)"

    def is_live(self, now: datetime | None = None) -> bool:
        return token_is_live(
            revoked=self.revoked_at is not None,
            expires_at=self.expires_at,
            now=now or clock.now(),
        )
