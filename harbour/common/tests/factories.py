"""factory_boy factories for the domain records. Derived fields are set as the service
layer sets them (refresh_derived) so that factory-made rows look like real ones."""

import datetime as dt
import itertools
from typing import Any, TypeVar

import factory
from django.contrib.auth.models import User
from django.test import Client
from factory.django import DjangoModelFactory

from harbour.children.models import Child, LegalStatus
from harbour.common.time import UTC
from harbour.exploitation.models import (
    ConcernPeriod,
    NrmReferral,
    PanelListing,
    PanelMeeting,
    Referral,
    RiskAssessment,
    SupportReferral,
)
from harbour.interviews.models import ReturnInterview
from harbour.meetings.models import Meeting
from harbour.missing.models import Episode

ModelT = TypeVar("ModelT")


class DerivedFieldsFactory(DjangoModelFactory[ModelT]):
    """Generic over the model it makes, so that `ChildFactory.create()` is typed as a Child.
    Calling a factory (`ChildFactory()`) makes the same row, but goes through factory_boy's
    untyped metaclass and reads to the type checker as the factory: a test that uses the
    made record where its type is checked calls `.create()`."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance = model_class(*args, **kwargs)
        instance.refresh_derived()
        instance.save()
        return instance


class ChildFactory(DerivedFieldsFactory[Child]):
    class Meta:
        model = Child

    child_id = factory.Sequence(lambda n: f"CH{n:06d}")
    given_name = factory.Iterator(["Ada", "Bea", "Cal", "Dov", "Eli"])
    family_name = factory.Iterator(["Amberley", "Brook", "Cresswell", "Dunmore"])
    date_of_birth = dt.date(2005, 6, 15)
    sex = "F"


class LegalStatusFactory(DerivedFieldsFactory[LegalStatus]):
    class Meta:
        model = LegalStatus

    child = factory.SubFactory(ChildFactory)
    status = "LAC"
    start_date = dt.date(2015, 1, 1)


class EpisodeFactory(DerivedFieldsFactory[Episode]):
    class Meta:
        model = Episode

    episode_id = factory.Sequence(lambda n: f"EP{n:07d}")
    child = factory.SubFactory(ChildFactory)
    category = "MISSING"
    started_at = dt.datetime(2019, 5, 1, 18, 0, tzinfo=UTC)
    ended_at = factory.LazyAttribute(lambda episode: episode.started_at + dt.timedelta(hours=5))


class ReturnInterviewFactory(DerivedFieldsFactory[ReturnInterview]):
    class Meta:
        model = ReturnInterview

    episode = factory.SubFactory(EpisodeFactory)
    outcome = "ACCEPTED"
    offered_at = factory.LazyAttribute(lambda rhi: rhi.episode.ended_at + dt.timedelta(hours=2))
    completed_at = factory.LazyAttribute(lambda rhi: rhi.offered_at + dt.timedelta(hours=20))


class MeetingFactory(DerivedFieldsFactory[Meeting]):
    class Meta:
        model = Meeting

    meeting_id = factory.Sequence(lambda n: f"MT{n:06d}")
    child = factory.SubFactory(ChildFactory)
    kind = "MISSING_MAM"
    trigger = "LONG_MISSING"
    requested_on = dt.date(2019, 5, 10)


class ReferralFactory(DerivedFieldsFactory[Referral]):
    class Meta:
        model = Referral

    referral_id = factory.Sequence(lambda n: f"RF{n:06d}")
    child = factory.SubFactory(ChildFactory)
    received_on = dt.date(2019, 6, 1)
    concern = "CSE"


class RiskAssessmentFactory(DerivedFieldsFactory[RiskAssessment]):
    class Meta:
        model = RiskAssessment

    assessment_id = factory.Sequence(lambda n: f"RA{n:06d}")
    child = factory.SubFactory(ChildFactory)
    kind = "CSE"
    completed_on = dt.date(2019, 6, 5)
    risk = "MEDIUM"


class PanelListingFactory(DerivedFieldsFactory[PanelListing]):
    class Meta:
        model = PanelListing

    listing_id = factory.Sequence(lambda n: f"PL{n:06d}")
    child = factory.SubFactory(ChildFactory)
    panel = "MACE"
    panel_date = dt.date(2019, 6, 20)


class PanelMeetingFactory(DerivedFieldsFactory[PanelMeeting]):
    class Meta:
        model = PanelMeeting

    panel_meeting_id = factory.Sequence(lambda n: f"PM{n:06d}")
    panel = "MACE"
    date = factory.Sequence(lambda n: dt.date(2019, 6, 19) + dt.timedelta(days=n))


class ConcernPeriodFactory(DerivedFieldsFactory[ConcernPeriod]):
    class Meta:
        model = ConcernPeriod

    period_id = factory.Sequence(lambda n: f"CP{n:06d}")
    child = factory.SubFactory(ChildFactory)
    pathway = "CSE"
    opened_on = dt.date(2019, 6, 1)


class NrmReferralFactory(DerivedFieldsFactory[NrmReferral]):
    class Meta:
        model = NrmReferral

    nrm_id = factory.Sequence(lambda n: f"NRM{n:06d}")
    child = factory.SubFactory(ChildFactory)
    referred_on = dt.date(2019, 6, 21)
    first_responder = "LA"
    decision_maker = "DEVOLVED_PANEL"


class SupportReferralFactory(DerivedFieldsFactory[SupportReferral]):
    class Meta:
        model = SupportReferral

    support_referral_id = factory.Sequence(lambda n: f"SR{n:06d}")
    child = factory.SubFactory(ChildFactory)
    provider = "CHILDRENS_SOCIETY"
    referred_on = dt.date(2019, 6, 10)


def make_staff(
    *roles: str, username: str | None = None, organisation: str | None = None, **fields: Any
) -> User:
    """A member of staff holding `roles` (none: signed in but entitled to nothing).

    The username defaults to one built from the roles, numbered when taken, so a test can
    make two coordinators without naming them. `organisation` gives the staff profile a
    provider (return interview workers)."""
    from harbour.accounts.models import RoleAssignment, StaffProfile

    if username is None:
        base = "user-" + ("-".join(role.lower() for role in roles) or "none")
        username = base
        for number in itertools.count(2):
            if not User.objects.filter(username=username).exists():
                break
            username = f"{base}-{number}"
    user = User.objects.create_user(username, **fields)
    for role in roles:
        RoleAssignment.objects.create(user=user, role=role)
    if organisation is not None:
        StaffProfile.objects.create(user=user, organisation=organisation)
    return user


def signed_in(user: User) -> Client:
    """A new test client signed in as `user`: for a test that needs two people signed in
    at once (an administrator and a second one); one person uses `client_as`."""
    client = Client()
    client.force_login(user)
    return client
