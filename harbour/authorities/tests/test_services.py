"""The OLA notification log's services and the status the log is in: the chaser and
escalation clocks, conflicts, validation and the audit trail."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from harbour.audit.models import AuditEvent
from harbour.audit.services import unseal
from harbour.authorities import queries, services
from harbour.authorities.models import LocalAuthority, OlaLog, OlaNotification
from harbour.common.tests.factories import ChildFactory, EpisodeFactory, make_staff
from harbour.missing.models import Episode

from .helpers import DAY, FOUND, HOUR, NOW, ola_episode

pytestmark = [pytest.mark.django_db, pytest.mark.frozen_at(NOW)]

S = queries.OlaStatus


def status_at(episode, now) -> str:
    return (
        queries.with_status(Episode.objects.filter(pk=episode.pk), now)
        .values_list("ola_status", flat=True)
        .get()
    )


def version(episode) -> int:
    log = OlaLog.objects.filter(episode=episode).first()
    return log.version if log else 0


def request(user, episode, at):
    return services.notify_placing_authority(
        user, episode, kind="INTERVIEW_REQUESTED", sent_at=at, method="EMAIL",
        version=version(episode),
    )  # fmt: skip


def test_an_episode_with_nothing_logged_is_not_yet_notified_then_notified():
    user = make_staff("COORDINATOR")
    episode = ola_episode()
    assert status_at(episode, NOW) == S.NOT_NOTIFIED

    services.notify_placing_authority(
        user, episode, kind="MISSING", sent_at=episode.started_at + HOUR, method="PHONE", version=0
    )

    assert status_at(episode, NOW) == S.NOTIFIED


def test_the_chaser_falls_due_exactly_when_the_wait_has_passed(settings):
    settings.HARBOUR_OLA_CHASE_DAYS = 3
    settings.HARBOUR_OLA_ESCALATE_DAYS = 7
    user = make_staff("COORDINATOR")
    episode = ola_episode()
    asked = FOUND + 2 * HOUR
    request(user, episode, asked)

    assert status_at(episode, asked + 3 * DAY - dt.timedelta(seconds=1)) == S.AWAITING
    assert status_at(episode, asked + 3 * DAY) == S.CHASER_DUE
    assert status_at(episode, asked + 7 * DAY - dt.timedelta(seconds=1)) == S.CHASER_DUE
    assert status_at(episode, asked + 7 * DAY) == S.ESCALATION_DUE


def test_the_clock_is_elapsed_time_across_the_clock_change(settings, clock):
    """Asked at 10am GMT on Saturday 30 March 2024: the clocks go forward that night, so the
    chaser is due at 11am BST on Tuesday, 72 elapsed hours later."""
    settings.HARBOUR_OLA_CHASE_DAYS = 3
    user = make_staff("COORDINATOR")
    found = dt.datetime(2024, 3, 29, 9, 0, tzinfo=dt.UTC)
    episode = ola_episode(found=found)
    asked = dt.datetime(2024, 3, 30, 10, 0, tzinfo=dt.UTC)
    clock.move_to(asked + HOUR)
    request(user, episode, asked)

    due = dt.datetime(2024, 4, 2, 10, 0, tzinfo=dt.UTC)  # 11am BST
    assert status_at(episode, due - dt.timedelta(seconds=1)) == S.AWAITING
    assert status_at(episode, due) == S.CHASER_DUE


def test_a_chaser_sent_stops_the_chaser_being_due_but_not_the_escalation(settings):
    settings.HARBOUR_OLA_CHASE_DAYS = 3
    settings.HARBOUR_OLA_ESCALATE_DAYS = 7
    user = make_staff("COORDINATOR")
    episode = ola_episode(found=NOW - 8 * DAY)
    asked = NOW - 8 * DAY + HOUR
    request(user, episode, asked)
    services.send_chaser(
        user, episode, sent_at=asked + 4 * DAY, method="PHONE", version=version(episode)
    )

    assert status_at(episode, asked + 5 * DAY) == S.AWAITING
    assert status_at(episode, asked + 7 * DAY) == S.ESCALATION_DUE

    services.escalate(
        user, episode, escalated_at=NOW, method="SECURE_EMAIL", note="To the team manager",
        version=version(episode),
    )  # fmt: skip
    assert status_at(episode, NOW) == S.ESCALATED


def test_a_response_closes_the_log_and_a_new_request_reopens_it():
    user = make_staff("COORDINATOR")
    episode = ola_episode()
    request(user, episode, FOUND + HOUR)
    services.record_response(
        user, episode, received_at=FOUND + DAY, method="EMAIL", response="ARRANGED",
        version=version(episode),
    )  # fmt: skip
    assert status_at(episode, NOW) == S.RESPONDED

    request(user, episode, FOUND + 2 * DAY)
    assert status_at(episode, FOUND + 2 * DAY + HOUR) == S.AWAITING


def test_a_response_dated_before_the_request_does_not_answer_it():
    user = make_staff("COORDINATOR")
    episode = ola_episode()
    request(user, episode, FOUND + DAY)
    services.record_response(
        user, episode, received_at=FOUND + HOUR, method="PHONE", response="OTHER",
        version=version(episode),
    )  # fmt: skip
    assert status_at(episode, FOUND + DAY + HOUR) == S.AWAITING


def test_a_stale_version_is_refused_and_nothing_is_written():
    first, second = (
        make_staff("COORDINATOR", username="first"),
        make_staff("COORDINATOR", username="second"),
    )
    episode = ola_episode()
    request(first, episode, FOUND + HOUR)  # the log is now at version 1

    with pytest.raises(services.Conflict):
        services.send_chaser(second, episode, sent_at=NOW, method="PHONE", version=0)

    assert OlaNotification.objects.count() == 1
    assert version(episode) == 1


def test_a_first_entry_from_a_form_that_expected_entries_is_refused():
    with pytest.raises(services.Conflict):
        services.notify_placing_authority(
            make_staff("COORDINATOR"),
            ola_episode(),
            kind="MISSING",
            sent_at=NOW,
            method="EMAIL",
            version=3,
        )
    assert not OlaLog.objects.exists()


def test_only_a_child_placed_by_another_authority_has_a_placing_authority_to_notify():
    home = EpisodeFactory(child=ChildFactory())
    with pytest.raises(ValidationError, match="not looked after by another authority"):
        services.notify_placing_authority(
            make_staff("COORDINATOR"), home, kind="MISSING", sent_at=NOW, method="EMAIL", version=0
        )
    assert not OlaLog.objects.exists()


def test_a_chaser_or_an_escalation_needs_an_interview_request_first():
    user = make_staff("COORDINATOR")
    episode = ola_episode()
    with pytest.raises(ValidationError) as refused:
        services.send_chaser(user, episode, sent_at=NOW, method="EMAIL", version=0)
    assert "kind" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.escalate(user, episode, escalated_at=NOW, method="EMAIL", version=0)


def test_times_must_be_real_and_in_order():
    user = make_staff("COORDINATOR")
    episode = ola_episode()
    open_episode = EpisodeFactory(
        child=episode.child, started_at=NOW - 5 * HOUR, ended_at=None, episode_id="STILL-OUT"
    )
    cases = [
        (episode, "MISSING", NOW + HOUR, "occurred_at"),  # the future
        (episode, "MISSING", episode.started_at - HOUR, "occurred_at"),  # before last seen
        (episode, "FOUND", FOUND - HOUR, "occurred_at"),  # before found
        (open_episode, "INTERVIEW_REQUESTED", NOW, "kind"),  # not found yet
    ]
    for target, kind, at, field in cases:
        with pytest.raises(ValidationError) as refused:
            services.notify_placing_authority(
                user, target, kind=kind, sent_at=at, method="EMAIL", version=0
            )
        assert field in refused.value.message_dict, (kind, at)
    with pytest.raises(ValidationError) as refused:
        services.notify_placing_authority(
            user, episode, kind="MISSING", sent_at=NOW, method="CARRIER_PIGEON", version=0
        )
    assert "method" in refused.value.message_dict


def test_each_entry_is_audited_naming_the_child_with_the_note_sealed():
    user = make_staff("COORDINATOR")
    episode = ola_episode()

    entry = services.record_response(
        user, episode, received_at=NOW, method="EMAIL", response="COMPLETED",
        note="Their worker saw the child on Tuesday", version=0,
    )  # fmt: skip

    event = AuditEvent.objects.get(action="authorities.ola_response")
    assert event.actor == user
    assert list(event.subjects.values_list("child_pk", flat=True)) == [episode.child_id]
    assert "Tuesday" not in str(event.details)
    assert event.details["response"] == "COMPLETED"
    assert unseal(event)["note"] == "Their worker saw the child on Tuesday"
    assert unseal(event)["authority"] == "344"
    assert entry.authority_code == "344" and entry.recorded_by_name == user.username


def test_the_reference_data_refuses_a_stale_change():
    admin = make_staff("ADMINISTRATOR")
    authority = services.save_authority(admin, LocalAuthority(code="344", name="Example Shire"))
    loaded = authority.version
    authority.name = "Example Shire Council"
    services.save_authority(admin, authority, version=loaded)

    stale = LocalAuthority.objects.get(pk=authority.pk)
    stale.name = "Something else"
    with pytest.raises(services.Conflict):
        services.save_authority(admin, stale, version=loaded)
    assert LocalAuthority.objects.get(pk=authority.pk).name == "Example Shire Council"
    assert AuditEvent.objects.filter(action="authorities.localauthority.change").count() == 1


def test_responses_awaited_lists_only_unanswered_requests_oldest_first():
    user = make_staff("COORDINATOR")
    older = ola_episode(found=NOW - 9 * DAY)
    newer = ola_episode(found=NOW - 2 * DAY)
    answered = ola_episode(found=NOW - 4 * DAY)
    ola_episode()  # nothing requested
    request(user, newer, NOW - 2 * DAY + HOUR)
    request(user, older, NOW - 9 * DAY + HOUR)
    request(user, answered, NOW - 4 * DAY + HOUR)
    services.record_response(
        user, answered, received_at=NOW, method="EMAIL", response="DECLINED",
        version=version(answered),
    )  # fmt: skip

    from harbour.children.models import Child

    rows = list(queries.responses_awaited(Child.objects.all(), NOW))

    assert [row.pk for row in rows] == [older.pk, newer.pk]
    assert [row.ola_status for row in rows] == [S.ESCALATION_DUE, S.AWAITING]


def test_the_chase_command_counts_the_logs_by_status(settings):
    from io import StringIO

    from django.core.management import call_command

    settings.HARBOUR_OLA_CHASE_DAYS = 3
    settings.HARBOUR_OLA_ESCALATE_DAYS = 7
    user = make_staff("COORDINATOR")
    for days in (8, 4, 1):
        episode = ola_episode(found=NOW - days * DAY - HOUR)
        request(user, episode, NOW - days * DAY)
    out = StringIO()

    call_command("chase_ola_notifications", stdout=out)

    assert out.getvalue().splitlines() == [
        "Escalation due: 1",
        "Chaser due: 1",
        "Escalated, awaiting response: 0",
        "Awaiting response: 1",
    ]
