"""Demo data for ``manage.py seed_demo`` (``make run``): generated people only, never real ones.

The command runs a list of *demo steps*. Each app that has demo data adds its steps in its own
``<app>/demo.py`` module (found by autodiscovery, like ``admin.py``)::

    from capitalis.accounts.demo import DemoContext, demo_step

    @demo_step(order=200, name="programmes")
    def programmes(ctx: DemoContext) -> None:
        ...  # call services; use ctx.users[Role.LECTURER] etc.; ctx.note("…")

Steps run in ``order`` (accounts: 100; later apps: 200, 300… along the pipeline). A step must be
idempotent: a second run creates nothing. Steps write through services only.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from capitalis.accounts.models import ROLE_LABELS, SCOPE_LABELS, User
from capitalis.accounts.rules import ALLOWED_SCOPES, STAFF_ROLES, Role, ScopeKind
from capitalis.accounts.services import role_grant, user_create

DEMO_DOMAIN = "demo.capitalis.test"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
PASSWORD_FILE = "demo-password"  # noqa: S105 (a file name, not a password)

# Invented names (no real person): combined by role index to give every demo user a name.
FIRST_NAMES = (
    "Aurèle",
    "Brunehilde",
    "Célian",
    "Daphnée",
    "Elouan",
    "Faustine",
    "Gaspard",
    "Hortense",
    "Ilario",
    "Joséphine",
    "Kelian",
    "Léontine",
    "Maëlon",
)
LAST_NAMES = (
    "Valmorin",
    "Castelbrac",
    "Duvernelle",
    "Ombrevaux",
    "Pellemont",
    "Quinsaret",
    "Rochevigne",
    "Sablerive",
    "Tramontel",
    "Vernadoux",
    "Wissembrac",
    "Yvrandel",
    "Zéphirot",
)


@dataclass(frozen=True)
class DemoLogin:
    """One printed demo login."""

    email: str
    role: str
    note: str = ""


@dataclass
class DemoContext:
    """What steps share: the demo password, the users by role, the logins and notes to print."""

    password: str
    users: dict[Role, User] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    created: int = 0

    def note(self, text: str) -> None:
        self.notes.append(text)

    def set_login_note(self, email: str, note: str) -> None:
        """Replace the note printed beside a login (e.g. once a scoped role is granted)."""
        self.logins = [
            DemoLogin(login.email, login.role, note) if login.email == email else login
            for login in self.logins
        ]


DemoStep = Callable[[DemoContext], None]


@dataclass(frozen=True)
class _Registered:
    order: int
    name: str
    run: DemoStep


_STEPS: dict[str, _Registered] = {}


def demo_step(*, order: int, name: str) -> Callable[[DemoStep], DemoStep]:
    """Register a demo step (registering the same name again replaces it)."""

    def register(step: DemoStep) -> DemoStep:
        _STEPS[name] = _Registered(order=order, name=name, run=step)
        return step

    return register


def demo_steps() -> list[tuple[str, DemoStep]]:
    """The registered steps, in the order they run."""
    return [(s.name, s.run) for s in sorted(_STEPS.values(), key=lambda s: (s.order, s.name))]


def demo_password(var_dir: Path) -> str:
    """The demo password: generated at the first run into ``var/demo-password``, reused after."""
    path = var_dir / PASSWORD_FILE
    if path.exists():
        stored = path.read_text().strip()
        if stored:
            return stored
    password = "demo-" + secrets.token_urlsafe(9)
    var_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


def demo_email(role: Role) -> str:
    """A demo login address for a role, e.g. ``programme-director@demo.capitalis.test``."""
    return f"{role.value.replace('_', '-')}@{DEMO_DOMAIN}"


def demo_name(index: int) -> str:
    """An invented full name, different for each index below 169."""
    first = FIRST_NAMES[index % len(FIRST_NAMES)]
    last = LAST_NAMES[(index * 5 + 3) % len(LAST_NAMES)]
    return f"{first} {last}"


def _ensure_user(
    ctx: DemoContext, *, email: str, full_name: str, is_staff: bool, is_superuser: bool = False
) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = user_create(
            email=email,
            full_name=full_name,
            password=ctx.password,
            is_staff=is_staff,
            is_superuser=is_superuser,
        )
        ctx.created += 1
    return user


@demo_step(order=100, name="accounts")
def accounts_step(ctx: DemoContext) -> None:
    """A superuser, and one user per role; roles whose scope is the whole school are granted.

    Campus, course and jury-session scoped roles get their grant once those records exist
    (later issues append a step that grants them)."""
    admin = _ensure_user(
        ctx, email=ADMIN_EMAIL, full_name=demo_name(0), is_staff=True, is_superuser=True
    )
    ctx.logins.append(DemoLogin(ADMIN_EMAIL, _("superuser (admin)")))
    for index, role in enumerate(Role, start=1):
        user = _ensure_user(
            ctx,
            email=demo_email(role),
            full_name=demo_name(index),
            is_staff=role in STAFF_ROLES,
        )
        ctx.users[role] = user
        note = ""
        if ScopeKind.GLOBAL in ALLOWED_SCOPES[role]:
            role_grant(user=user, role=role, scope=ScopeKind.GLOBAL, actor=admin)
        else:
            scopes = ", ".join(str(SCOPE_LABELS[s]) for s in sorted(ALLOWED_SCOPES[role]))
            note = _("no grant yet: needs a %(scopes)s record") % {"scopes": scopes}
        ctx.logins.append(DemoLogin(user.email, str(ROLE_LABELS[role]), note))
