"""``manage.py seed_demo``: create the demo data (generated people only) and print the logins.

Idempotent: a second run creates nothing and prints the same logins. The demo password is
generated at the first run into ``var/demo-password`` (settings.VAR_DIR) and reused.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand
from django.test.utils import override_settings
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

from capitalis.accounts.demo import PASSWORD_FILE, DemoContext, demo_password, demo_steps


class Command(BaseCommand):
    help = "Create the demo data (generated people only) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        autodiscover_modules("demo")
        ctx = DemoContext(password=demo_password(settings.VAR_DIR))
        # The demo people's addresses are invented: the mails the services send them (jury
        # decisions, invitations…) are kept in memory, never printed or sent.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            if not hasattr(mail, "outbox"):
                mail.outbox = []  # type: ignore[attr-defined]
            before_mails = len(mail.outbox)  # type: ignore[attr-defined]
            for name, step in demo_steps():
                before = ctx.created
                step(ctx)
                if options["verbosity"] > 1:
                    self.stdout.write(f"{name}: {ctx.created - before} created")
            kept = len(mail.outbox) - before_mails  # type: ignore[attr-defined]
        if kept:
            ctx.note(
                _("E-mails: %(count)d written to demo people, kept in memory (not sent).")
                % {"count": kept}
            )
        self._print_logins(ctx)

    def _print_logins(self, ctx: DemoContext) -> None:
        headers = (_("E-mail"), _("Role"), _("Password"))
        rows = [(login.email, login.role, ctx.password) for login in ctx.logins]
        widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(_("Demo logins")))
        line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
        self.stdout.write(line)
        self.stdout.write("  ".join("-" * w for w in widths))
        for row, login in zip(rows, ctx.logins, strict=True):
            text = "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
            self.stdout.write(f"{text}  {login.note}".rstrip())
        for note in ctx.notes:
            self.stdout.write(note)
        self.stdout.write(
            _("%(created)d record(s) created; the password is kept in %(path)s.")
            % {"created": ctx.created, "path": settings.VAR_DIR / PASSWORD_FILE}
        )
