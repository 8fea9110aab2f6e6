from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CredentialsConfig(AppConfig):
    name = "capitalis.credentials"
    label = "credentials"
    verbose_name = _("Credentials")

    def ready(self) -> None:
        from django.core import checks

        from capitalis.core.backup import restored

        checks.register(signing_key_check)
        restored.connect(_after_restore, dispatch_uid="credentials-after-restore")


def _after_restore(**kwargs: Any) -> None:
    from capitalis.credentials import keys, queries

    keys.issuer_key.cache_clear()
    queries.forget_signers()


def signing_key_check(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """At start-up (every management command and the development server): say so when
    credentials exist that our keys cannot have signed; issuing is then refused."""
    from django.core import checks
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    from capitalis.credentials import queries

    try:
        unknown = queries.unknown_signers(fresh=True)
    except (DatabaseError, ImproperlyConfigured):  # before migrate; a bad key is said elsewhere
        return []
    if not unknown:
        return []
    return [
        checks.Warning(
            "Credentials signed by a key this server does not hold exist; issuing is refused "
            "until the signing key is restored or listed in CREDENTIALS_RETIRED_KEYS.",
            hint="Unknown signers: " + ", ".join(unknown[:3]),
            id="credentials.W001",
        )
    ]
