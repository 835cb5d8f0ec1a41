"""Inspection and rectification rules: applying a proposed level, task status moves.

Called by the admin (actions and forms) and by tests; the admin holds no rule.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Inspection, RectificationTask
from .scoping import can_apply_proposed_level, require_in_scope


@transaction.atomic
def inspection_apply_proposed_level(*, inspection, actor):
    """Apply an inspection's proposed level/status through the standing rule's audit trail.

    City staff only (permission `oversight.apply_proposed_level`) and only for
    stations in their scope. Returns the LevelChange written.
    """
    from stations.standing import StaleStanding, change_standing

    if not can_apply_proposed_level(actor):
        raise PermissionDenied(_("Only city union staff may apply a proposed level change."))
    inspection = Inspection.objects.select_for_update().select_related("station").get(pk=inspection.pk)
    require_in_scope(actor, inspection.station)
    if not inspection.proposes_change:
        raise ValidationError(_("This inspection does not propose a level change."))
    if inspection.applied_change_id is not None:
        raise ValidationError(_("This inspection's proposal has already been applied."))
    station = inspection.station
    level = inspection.proposed_level if inspection.proposed_level is not None else station.level
    status = inspection.proposed_status or station.status
    note = _("Inspection of %(date)s, score %(score)s.") % {"date": inspection.date, "score": inspection.score}
    try:
        change = change_standing(
            station=station, level=level, status=status, reason="inspection", note=note, actor=actor
        )
    except StaleStanding:
        raise ValidationError(_("The station's level changed meanwhile; reload and try again.")) from None
    inspection.applied_change = change
    inspection.save(update_fields=["applied_change"])
    return change


def task_open(*, inspection=None, station=None, finding, deadline, owner=None):
    """Open a rectification task for a finding (from an inspection, or on its own)."""
    station = station or inspection.station
    if inspection is not None and inspection.station_id != station.pk:
        raise ValidationError(_("The task's station must be the inspected station."))
    task = RectificationTask(
        station=station, inspection=inspection, finding=finding, deadline=deadline, owner=owner
    )
    task.full_clean()
    task.save()
    return task


def task_mark_done(*, task, actor, note):
    """The station reports the task fixed; it waits for verification."""
    require_in_scope(actor, task.station)
    if task.status != RectificationTask.Status.OPEN:
        raise ValidationError(_("Only an open task can be marked done."))
    if not note.strip():
        raise ValidationError({"done_note": _("Say what was done.")})
    task.status = RectificationTask.Status.DONE
    task.done_note = note.strip()
    task.done_at = timezone.now()
    task.save(update_fields=["status", "done_note", "done_at"])
    return task


def task_verify(*, task, actor):
    """A district chief or city staff confirm the fix (closing the task)."""
    if not actor.has_perm("oversight.verify_rectificationtask"):
        raise PermissionDenied(_("You may not verify rectification tasks."))
    require_in_scope(actor, task.station)
    if task.status != RectificationTask.Status.DONE:
        raise ValidationError(_("Only a task marked done can be verified."))
    task.status = RectificationTask.Status.VERIFIED
    task.verified_at = timezone.now()
    task.verified_by = actor
    task.save(update_fields=["status", "verified_at", "verified_by"])
    return task


def task_reopen(*, task, actor):
    """The fix did not hold: back to open (verifiers only)."""
    if not actor.has_perm("oversight.verify_rectificationtask"):
        raise PermissionDenied(_("You may not reopen rectification tasks."))
    require_in_scope(actor, task.station)
    if task.status != RectificationTask.Status.DONE:
        raise ValidationError(_("Only a task marked done can be sent back."))
    task.status = RectificationTask.Status.OPEN
    task.done_at = None
    task.save(update_fields=["status", "done_at"])
    return task
