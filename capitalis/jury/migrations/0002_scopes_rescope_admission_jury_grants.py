"""Re-scope the jury grants the admissions app made with the certification jury's scope kind.

Until now both the admission jury (admissions app) and the certification jury session (jury
app) granted JURY_PRESIDENT / JURY_MEMBER with ``scope="jury_session"`` and their own primary
keys, so a member of certification session N was taken for a member of admission jury N. From
now on the admission jury's grants use ``scope="admission_jury"``.

Each existing ``jury_session`` grant is decided from the two tables (this migration lives in
the jury app, the first app that knows both):

- the user sits on admission jury N in that role (its president for a JURY_PRESIDENT grant,
  one of its members for a JURY_MEMBER grant) and not on certification session N: the grant
  becomes ``admission_jury``;
- the user sits on both N's in that role: the ``jury_session`` grant stays and an
  ``admission_jury`` one is added;
- otherwise (certification session only, or neither table says so): the grant stays
  ``jury_session``; the admissions app no longer honours it, so nothing of an admission jury
  is opened on a doubt.

Every grant changed or added leaves an audit record (action ``role_rescope``).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

JURY_ROLES = ("jury_president", "jury_member")
SESSION = "jury_session"
ADMISSION = "admission_jury"


def _seats(model: Any) -> set[tuple[str, int, int]]:
    """(role, jury id, user id) of every president and member of ``model``'s rows."""
    seats: set[tuple[str, int, int]] = set()
    for pk, president_id, member_id in model.objects.values_list("pk", "president_id", "members"):
        seats.add(("jury_president", pk, president_id))
        if member_id is not None:
            seats.add(("jury_member", pk, member_id))
    return seats


def rescope_jury_grants(apps: Any, schema_editor: Any) -> dict[str, int]:
    """Move the admission juries' grants to the ``admission_jury`` scope kind; returns how
    many grants were moved, added (user on both N's) and left alone."""
    role_assignment = apps.get_model("accounts", "RoleAssignment")
    audit_event = apps.get_model("core", "AuditEvent")
    grants = list(
        role_assignment.objects.filter(scope=SESSION, role__in=JURY_ROLES).order_by("pk")
    )
    counts = {"moved": 0, "added": 0, "kept": 0}
    if not grants:
        return counts
    admission = _seats(apps.get_model("admissions", "AdmissionJury"))
    certification = _seats(apps.get_model("jury", "JurySession"))
    existing = set(
        role_assignment.objects.filter(scope=ADMISSION, role__in=JURY_ROLES).values_list(
            "role", "scope_id", "user_id"
        )
    )
    events = []
    for grant in grants:
        seat = (grant.role, grant.scope_id, grant.user_id)
        if seat not in admission:
            counts["kept"] += 1
            continue
        if seat in certification:
            if seat not in existing:
                added = role_assignment.objects.create(
                    user_id=grant.user_id, role=grant.role, scope=ADMISSION, scope_id=grant.scope_id
                )
                existing.add(seat)
                events.append((added.pk, "added", seat))
            counts["added"] += 1
            continue
        moved_pk = grant.pk
        if seat in existing:  # already there: the confusable copy goes
            grant.delete()
        else:
            grant.scope = ADMISSION
            grant.save(update_fields=["scope"])
            existing.add(seat)
        events.append((moved_pk, "moved", seat))
        counts["moved"] += 1
    audit_event.objects.bulk_create(
        [
            audit_event(
                action="role_rescope",
                target_type="accounts.roleassignment",
                target_id=str(pk),
                summary=f"{how}: {role} {SESSION} {jury_id} -> {ADMISSION} {jury_id}",
                data={"user": user_id, "role": role, "jury": jury_id, "how": how},
            )
            for pk, how, (role, jury_id, user_id) in events
        ]
    )
    return counts


def unscope_jury_grants(apps: Any, schema_editor: Any) -> None:
    """Back: every ``admission_jury`` grant becomes a ``jury_session`` one again (merged into
    an existing identical grant)."""
    role_assignment = apps.get_model("accounts", "RoleAssignment")
    session = set(
        role_assignment.objects.filter(scope=SESSION, role__in=JURY_ROLES).values_list(
            "role", "scope_id", "user_id"
        )
    )
    for grant in role_assignment.objects.filter(scope=ADMISSION):
        if (grant.role, grant.scope_id, grant.user_id) in session:
            grant.delete()
        else:
            grant.scope = SESSION
            grant.save(update_fields=["scope"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_scopes_admission_jury_scope"),
        ("admissions", "0001_initial"),
        ("core", "0001_initial"),
        ("jury", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(rescope_jury_grants, unscope_jury_grants),
    ]
