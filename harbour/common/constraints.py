"""Every database check constraint, as the field it is about and a message a person can act
on.

Django reports a failed CheckConstraint as `Constraint "name" is violated.`, against no
field. A record that validates with `FieldRuleConstraints` (every Record does, see
harbour/common/models.py) reports it instead on the field named here, in the words here, so
that a form shows it as a GOV.UK error on that field and the error summary links to it.
harbour/common/tests/test_constraint_messages.py checks that every CheckConstraint in the
project has a rule, on a field its model has: a new constraint needs a line here.

Constraints on codes ("…_code") guard values a form offers as a list; the message is what
the person sees if a stale form or a hand-made request sends something else.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, router


@dataclass(frozen=True)
class FieldRule:
    field: str
    message: str


RULES: dict[str, FieldRule] = {
    # children
    "child_sex_code": FieldRule("sex", "Select the child's sex from the list"),
    "child_ethnicity_code": FieldRule("ethnicity", "Select the child's ethnicity from the list"),
    "legal_status_code": FieldRule("status", "Select the legal status from the list"),
    "legal_status_end_not_before_start": FieldRule(
        "end_date", "The end date must be the same as or after the start date"
    ),
    "legal_status_lac_only_columns": FieldRule(
        "placement",
        "Only a looked after child has a responsible authority and a placement type: "
        "remove them, or choose looked after",
    ),
    "legal_status_placement_code": FieldRule(
        "placement", "Select the placement type from the list"
    ),
    # missing
    "episode_category_code": FieldRule("category", "Select missing or absent"),
    "episode_risk_level_code": FieldRule("risk_level", "Select the risk level from the list"),
    "episode_end_not_before_start": FieldRule(
        "ended_at", "The time found must be the same as or after the time last seen"
    ),
    "episode_reported_not_before_start": FieldRule(
        "reported_at", "The time reported must be the same as or after the time last seen"
    ),
    "episode_notified_not_before_start": FieldRule(
        "notified_at",
        "The time the notification was received must be the same as or after the time last seen",
    ),
    # interviews
    "interview_outcome_code": FieldRule("outcome", "Select the outcome from the list"),
    "interview_method_code": FieldRule("method", "Select how the interview was held"),
    "interview_offered_iff_offered_outcome": FieldRule(
        "offered_at",
        "Enter when the interview was offered if it was offered, and leave it blank if not",
    ),
    "interview_completed_only_when_accepted": FieldRule(
        "completed_at", "Only an interview the child accepted can have a date completed"
    ),
    "interview_completed_not_before_offered": FieldRule(
        "completed_at", "The date completed must be the same as or after the date offered"
    ),
    "allocation_to_someone": FieldRule(
        "worker", "Select a worker or enter the organisation the interview is allocated to"
    ),
    # meetings
    "meeting_kind_code": FieldRule("kind", "Select the kind of meeting from the list"),
    "meeting_trigger_for_missing_meetings_only": FieldRule(
        "trigger", "Only a multi-agency missing meeting has a trigger"
    ),
    "meeting_concern_for_strategy_meetings_only": FieldRule(
        "concern", "Only an exploitation strategy meeting has a concern"
    ),
    "meeting_format_for_strategy_meetings_only": FieldRule(
        "format", "Only an exploitation strategy meeting is a discussion or a meeting"
    ),
    "meeting_strategy_fields_for_strategy_meetings_only": FieldRule(
        "s47",
        "Only an exploitation strategy meeting has a section 47 decision, outcomes, a next "
        "review or a conference due date",
    ),
    "meeting_held_not_before_requested": FieldRule(
        "held_on",
        "The date the meeting was held must be the same as or after the date it was requested",
    ),
    "meeting_not_both_held_and_cancelled": FieldRule(
        "held_on", "A cancelled meeting cannot be recorded as held"
    ),
    "meeting_task_trigger_code": FieldRule("trigger", "Select the trigger from the list"),
    "meeting_task_closed_with_a_reason_code": FieldRule(
        "closed_because", "Select why the task is closed"
    ),
    # authorities
    "ola_kind_code": FieldRule("kind", "Select what the contact was from the list"),
    "ola_method_code": FieldRule("method", "Select how the authority was contacted"),
    "ola_response_for_responses_only": FieldRule(
        "response", "Select the response only when recording a response from the authority"
    ),
    # exploitation
    "referral_concern_code": FieldRule("concern", "Select the concern from the list"),
    "referral_source_code": FieldRule("source", "Select who made the referral from the list"),
    "assessment_kind_code": FieldRule("kind", "Select the kind of assessment from the list"),
    "assessment_risk_code": FieldRule("risk", "Select the risk from the list"),
    "listing_panel_code": FieldRule("panel", "Select the panel from the list"),
    "listing_risk_code": FieldRule("risk", "Select the risk from the list"),
    "referral_decision_code": FieldRule("decision", "Select the decision from the list"),
    "referral_decided_with_a_time": FieldRule(
        "decided_at", "A decision needs the time it was made, and a time needs a decision"
    ),
    "assessment_stage_code": FieldRule("stage", "Select screening, assessment or review"),
    "assessment_agency_code": FieldRule("agency", "Select the assessor's agency from the list"),
    "listing_reason_code": FieldRule("reason_listed", "Select why the child is listed"),
    "listing_decision_code": FieldRule("decision", "Select the panel's decision from the list"),
    "panel_series_panel_code": FieldRule("panel", "Select the panel from the list"),
    "panel_series_weekday": FieldRule("weekday", "Select the day of the week"),
    "panel_series_week_of_month": FieldRule(
        "week_of_month", "Select the week of the month (first to fourth, or last)"
    ),
    "panel_meeting_panel_code": FieldRule("panel", "Select the panel from the list"),
    "period_pathway_code": FieldRule("pathway", "Select child sexual or criminal exploitation"),
    "period_opened_by_code": FieldRule("opened_by", "Select what opened the period"),
    "period_level_code": FieldRule("level", "Select the level of risk from the list"),
    "period_closed_not_before_opened": FieldRule(
        "closed_on", "The date closed must be the same as or after the date opened"
    ),
    "period_closed_with_a_reason": FieldRule(
        "close_reason", "A closed period needs a reason for closing, and only a closed one"
    ),
    "panel_subject_kind_code": FieldRule("kind", "Select a person, place or group"),
    "nrm_first_responder_code": FieldRule("first_responder", "Select the first responder"),
    "nrm_decision_maker_code": FieldRule("decision_maker", "Select who decides"),
    "nrm_rg_decision_code": FieldRule(
        "rg_decision", "Select the reasonable grounds decision from the list"
    ),
    "nrm_cg_decision_code": FieldRule(
        "cg_decision", "Select the conclusive grounds decision from the list"
    ),
    "nrm_rg_not_before_referral": FieldRule(
        "rg_on", "The reasonable grounds decision must be on or after the referral date"
    ),
    "nrm_cg_after_rg": FieldRule(
        "cg_on",
        "The conclusive grounds decision needs a reasonable grounds decision date, and must "
        "be on or after it",
    ),
    "disruption_subject_kind_code": FieldRule("subject_kind", "Select a person, place or group"),
    "disruption_tactic_code": FieldRule("tactic", "Select the tactic from the list"),
    "disruption_lead_agency_code": FieldRule("lead_agency", "Select the lead agency"),
    "disruption_outcome_code": FieldRule("outcome", "Select the outcome from the list"),
    "disruption_served_not_before_requested": FieldRule(
        "served_or_granted_on", "The date served or granted must be on or after the request"
    ),
    "support_provider_code": FieldRule("provider", "Select the provider from the list"),
    "support_accepted_not_before_referred": FieldRule(
        "accepted_on", "The date accepted must be the same as or after the date referred"
    ),
    "support_ended_not_before_start": FieldRule(
        "ended_on",
        "The end date must be the same as or after the date accepted (or referred, if not "
        "accepted)",
    ),
    "screening_reason_code": FieldRule("reason", "Select why the child needs screening"),
    "screening_closed_with_a_reason_code": FieldRule(
        "closed_because", "A closed task needs a reason, and only a closed one"
    ),
    # exploitation: the network registers (issue 13)
    "person_sex_code": FieldRule("sex", "Select the person's sex, or unknown"),
    "person_age_band_code": FieldRule("age_band", "Select an age band from the list"),
    "person_occupation_flag_code": FieldRule(
        "occupation_flag", "Select an occupation from the list, or none"
    ),
    "person_status_code": FieldRule("status", "Select the person's status from the list"),
    "person_has_a_name": FieldRule(
        "given_name", "Enter a given name or a family name (an alias alone is not enough)"
    ),
    "person_identifier_kind_code": FieldRule("kind", "Select the kind of identifier"),
    **{
        f"{link}_source_code": FieldRule("source", "Select where the link came from")
        for link in (
            "person_child_link",
            "person_person_link",
            "place_child_link",
            "person_place_link",
            "group_member",
            "group_place",
        )
    },
    **{
        f"{link}_confidence_code": FieldRule("confidence", "Select reported or corroborated")
        for link in (
            "person_child_link",
            "person_person_link",
            "place_child_link",
            "person_place_link",
            "group_member",
            "group_place",
        )
    },
    **{
        f"{link}_seen_in_order": FieldRule(
            "last_seen", "The date last seen must be the same as or after the date first seen"
        )
        for link in (
            "person_child_link",
            "person_person_link",
            "place_child_link",
            "person_place_link",
            "group_member",
            "group_place",
        )
    },
    "person_child_link_relationship_code": FieldRule(
        "relationship", "Select the relationship from the list"
    ),
    "person_person_link_relationship_code": FieldRule(
        "relationship", "Select the relationship from the list"
    ),
    "person_person_link_ordered": FieldRule("other", "Select a different person to link"),
    "place_type_code": FieldRule("type", "Select the type of place from the list"),
    "place_status_code": FieldRule("status", "Select the status from the list"),
    "place_coordinates_together_and_in_range": FieldRule(
        "latitude",
        "Enter both latitude (-90 to 90) and longitude (-180 to 180), or neither",
    ),
    "place_child_link_kind_code": FieldRule("kind", "Select how the child is linked to the place"),
    "place_child_link_found_at_names_the_episode": FieldRule(
        "episode", "A found-at link names the missing episode, and only a found-at link does"
    ),
    "person_place_link_relationship_code": FieldRule(
        "relationship", "Select how the person is linked to the place"
    ),
    "group_type_code": FieldRule("type", "Select the type of group from the list"),
    "group_status_code": FieldRule("status", "Select the status from the list"),
    "group_member_child_or_person": FieldRule("child", "Select a child or a person, not both"),
    "context_assessment_kind_code": FieldRule("kind", "Select the kind of context"),
    "context_assessment_of_a_group_or_a_place": FieldRule(
        "group", "Select the group or the place assessed, not both"
    ),
    "context_referral_of_a_group_or_a_place": FieldRule(
        "group", "A context referral is of a group or of a place, not both"
    ),
    "context_referral_source_code": FieldRule("source", "Select who made the referral"),
    "context_referral_decision_code": FieldRule("decision", "Select what is decided"),
    "context_referral_decided_with_a_date": FieldRule(
        "decided_on", "A decision needs the date it was made, and a date needs a decision"
    ),
    "intelligence_source_kind_code": FieldRule("source_kind", "Select where it came from"),
    "intelligence_from_an_interview_names_the_episode": FieldRule(
        "episode", "Intelligence from a return interview names the missing episode"
    ),
    "intelligence_mention_one_subject": FieldRule(
        "person", "A mention names one person, place or group"
    ),
    # accounts
    "role_code": FieldRule("role", "Select the role from the list"),
    "grant_request_kind": FieldRule(
        "role",
        "Select a role only when asking for a role, and a child only when asking to add "
        "someone to a restricted record",
    ),
    "grant_request_status": FieldRule("status", "Select the decision from the list"),
    "grant_request_decision": FieldRule(
        "decided_by", "A decided request needs who decided it and when; a pending one neither"
    ),
    "grant_request_not_for_self": FieldRule(
        "user", "You cannot ask for access for yourself: another administrator must ask"
    ),
    "grant_request_not_by_grantee": FieldRule(
        "user", "You cannot decide a request for your own access"
    ),
    "grant_request_second_administrator": FieldRule(
        "decided_by", "A second administrator must approve this: not the one who asked"
    ),
    # reports
    "population_positive": FieldRule("population", "The population must be more than 0"),
}


class FieldRuleConstraints:
    """Model mixin: check constraints that fail during full_clean() are reported on their
    field (RULES), not as `Constraint "name" is violated.`; other constraints (unique ones)
    are reported as Django reports them."""

    def validate_constraints(self, exclude: Collection[str] | None = None) -> None:
        model: type[models.Model] = type(self)  # type: ignore[assignment]
        using = router.db_for_write(model, instance=self)
        errors: dict[str, list[ValidationError]] = {}
        for model_class, constraints in self.get_constraints():  # type: ignore[attr-defined]
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    rule = RULES.get(constraint.name)
                    if isinstance(constraint, models.CheckConstraint) and rule is not None:
                        errors.setdefault(rule.field, []).append(
                            ValidationError(rule.message, code=constraint.name)
                        )
                    elif getattr(error, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
