"""What each action in the audit trail means, in plain English, for the auditors' pages.

An event keeps its action as a code ("children.child.view"), which programs and the CSV
use and the filter matches; the pages show the name below, with the code beside it. Saving
or deleting a record through harbour/common/services.py writes "<app>.<model>.<verb>"; an
action without a name here is named from its model ("Created an episode"), or failing that
from its code ("Somewhere: unknown thing").
"""

from __future__ import annotations

from django.apps import apps

ACTION_NAMES: dict[str, str] = {
    # Signing in and accounts
    "accounts.sign_in": "Signed in",
    "accounts.password_accepted": "Entered the right password (the second step followed)",
    "accounts.sign_in_failed": "Failed to sign in",
    "accounts.sign_in_refused": "Was refused sign-in",
    "accounts.sign_out": "Signed out",
    "accounts.lockout": "Locked sign-in after failed attempts",
    "accounts.address_slowed": "Slowed sign-ins from an address after failed attempts",
    "accounts.unlock": "Unlocked sign-in",
    "accounts.two_factor_enrolled": "Set up an authenticator app",
    "accounts.user.create": "Created a staff account",
    "accounts.user.deactivate": "Deactivated a staff account",
    "accounts.user.reactivate": "Reactivated a staff account",
    "accounts.user.grant_role": "Gave a member of staff a role",
    "accounts.user.revoke_role": "Took a role away from a member of staff",
    "accounts.user.set_organisation": "Set a member of staff's organisation",
    "accounts.user.change_password": "Changed their own password",
    "accounts.user.reset_password": "Reset a member of staff's password",
    "accounts.user.set_password": "Set a password from a one-time link",
    "accounts.user.set_password_link": "Made a one-time link to set a password",
    "accounts.user.reset_two_factor": "Reset a member of staff's second factor",
    "accounts.user.sign_out_everywhere": "Signed a member of staff out everywhere",
    "accounts.user.unlock": "Unlocked a staff account",
    "accounts.grant_request.create": "Asked a second administrator to approve access",
    "accounts.grant_request.approve": "Approved a request for access",
    "accounts.grant_request.reject": "Rejected a request for access",
    "accounts.grant_request.withdraw": "Withdrew a request for access",
    # Administration and the trail itself
    "admin.list": "Viewed a list in the Django admin",
    "admin.view": "Viewed a record in the Django admin",
    "audit.view": "Viewed the audit trail",
    "audit.export": "Downloaded audit events (CSV)",
    # Children
    "casework.dashboard_viewed": "Viewed the dashboard",
    "children.child.view": "Viewed a child's record",
    "children.child_viewed": "Viewed a child's page",
    "children.child_printed": "Printed a child's record",
    "children.child.create": "Recorded a new child",
    "children.child.change": "Changed a child's record",
    "children.child.delete": "Deleted a child's record",
    "children.child.erase": "Erased a child's records",
    "children.child_edit_viewed": "Opened a child's record to change it",
    "children.legal_status_form_viewed": "Opened a child's legal statuses to change them",
    "children.list_viewed": "Viewed the list of children",
    "children.caseload_viewed": "Viewed their caseload (My children)",
    "children.search": "Searched for a child",
    "children.restricted_refused": "Was refused a restricted record",
    "children.restriction_changed": "Changed whether a child's record is restricted",
    "children.access_granted": "Added someone to a restricted record's access list",
    "children.access_revoked": "Removed someone from a restricted record's access list",
    "children.subject_access_export": "Exported a child's records for a subject access request",
    "children.retention.apply": "Erased records past their retention period",
    "children.retention.dry_run": "Listed the records past their retention period",
    # Missing episodes and police notifications
    "missing.episodes_viewed": "Viewed the list of episodes",
    "missing.episode_viewed": "Viewed an episode",
    "missing.episode.change": "Changed an episode",
    "missing.episode_found": "Recorded a child as found",
    "missing.episode_amended": "Amended an episode",
    "missing.notification_recorded": "Recorded a police notification",
    "missing.notification_merged": "Merged a police notification into an open episode",
    "missing.candidates_viewed": "Viewed the children a notification might be about",
    "missing.column_mapping_saved": "Saved the columns of a police force's file",
    "missing.police_upload_received": "Uploaded a police file",
    "missing.police_upload_previewed": "Previewed a police upload",
    "missing.police_upload_committed": "Recorded a police upload",
    "missing.police_upload_discarded": "Cancelled a police upload",
    "missing.police_upload_refused": "Had a police upload refused",
    "missing.police_uploads_expired": "Deleted police uploads kept too long",
    # Return interviews
    "interviews.worklist_viewed": "Viewed the return interview worklist",
    "interviews.interview_viewed": "Viewed a return interview",
    "interviews.allocation_viewed": "Viewed who an interview is allocated to",
    # Meetings
    "meetings.worklist_viewed": "Viewed the meetings list",
    "meetings.task_viewed": "Viewed a meeting task",
    "meetings.task_raised": "Raised a meeting task",
    "meetings.task_joined": "Added a reason to an open meeting task",
    "meetings.task_withdrawn": "Withdrew a meeting task whose reason no longer holds",
    "meetings.task_trigger_withdrawn": "Withdrew one reason for a meeting task",
    "meetings.task_closed_not_needed": "Closed a meeting task as not needed",
    "meetings.meeting_requested": "Requested a meeting",
    "meetings.meeting_scheduled": "Scheduled a meeting",
    "meetings.meeting_held": "Recorded a meeting as held",
    "meetings.meeting_cancelled": "Cancelled a meeting",
    "meetings.meeting_viewed": "Viewed a meeting",
    "meetings.action_added": "Added an action to a meeting",
    "meetings.action_done": "Marked a meeting action done",
    # Other authorities, reports, the register as a whole
    "authorities.ola_list_viewed": "Viewed the children placed by other authorities",
    "authorities.ola_log_viewed": "Viewed a log of contact with another authority",
    "report.download": "Downloaded a report",
    "report.figure_records_viewed": "Viewed the records a report figure counts",
    "report.areas_viewed": "Viewed the area counts by postcode district and ward",
    # The DfE and Ofsted returns (issue 14).
    "returns.annex_a_exported": "Exported Ofsted Annex A List 8 (children in care) by command",
    "returns.ssda903_checked": "Checked the register against the DfE's 903 missing rules",
    "returns.ssda903_import": (
        "Imported an SSDA903 return (children, looked-after periods, missing episodes)"
    ),
    "returns.ssda903_export": "Exported the register's SSDA903 tables",
    "returns.data_quality_viewed": (
        "Viewed the data quality worklist (the register against the DfE's 903 missing rules)"
    ),
    "interchange.import": "Imported records (interchange format)",
    "interchange.export": "Exported the register (interchange format)",
    "interchange.export_intelligence": (
        "Exported the register with NRM records (interchange format)"
    ),
    # Exploitation (issue 12)
    "exploitation.assessment.floor_override": (
        "Recorded an assessment below the floor for a young or disabled child, with a reason"
    ),
    "exploitation.assessment.record": "Recorded an exploitation screening or assessment",
    "exploitation.assessment_form_viewed": "Opened the screening and assessment form",
    "exploitation.assessment_viewed": "Viewed an exploitation screening or assessment",
    "exploitation.child_record_viewed": "Viewed a child's exploitation record",
    "exploitation.closureday.create": "Added a local closure day",
    "exploitation.closureday.delete": "Removed a local closure day",
    "exploitation.closure_days.viewed": "Viewed the local closure days",
    "exploitation.dashboard_viewed": "Viewed the exploitation dashboard",
    "exploitation.disruption.change": "Changed a disruption action",
    "exploitation.disruption.create": "Recorded a disruption action",
    "exploitation.disruption_edit_viewed": "Opened a disruption action to change it",
    "exploitation.disruption_list_viewed": "Viewed the disruption actions",
    "exploitation.disruption_new_viewed": "Opened the form for a new disruption action",
    "exploitation.disruption_viewed": "Viewed a disruption action",
    "exploitation.nrm.decisions": "Recorded NRM decisions",
    "exploitation.nrm.refer": "Recorded a referral to the National Referral Mechanism",
    "exploitation.nrm_edit_viewed": "Opened an NRM referral to record decisions",
    "exploitation.nrm_list_viewed": "Viewed the NRM tracker",
    "exploitation.nrm_new_viewed": "Opened the form for a new NRM referral",
    "exploitation.nrm_viewed": "Viewed an NRM referral",
    "exploitation.panel.action_added": "Added a panel action",
    "exploitation.panel.action_done": "Marked a panel action done",
    "exploitation.panel.cohort_confirmed": "Confirmed a panel's cohort",
    "exploitation.panel.listed": "Listed a child at a panel",
    "exploitation.panel.listing_recorded": "Recorded a panel's decisions for a child",
    "exploitation.panel.scheduled": "Added panel sittings to the calendar",
    "exploitation.panel.subject_added": "Added a subject to a panel sitting",
    "exploitation.panel_calendar_viewed": "Viewed the panel calendar",
    "exploitation.panel_listing_viewed": "Viewed a child's panel listing",
    "exploitation.panel_meeting_edit_viewed": "Opened a panel sitting's details to change them",
    "exploitation.panel_meeting_viewed": "Viewed a panel sitting",
    "exploitation.panel_pack_downloaded": "Downloaded a panel pack",
    "exploitation.panel_pack_viewed": "Viewed a panel pack",
    "exploitation.panel_series_edit_viewed": "Opened a panel series to change it",
    "exploitation.panel_series_viewed": "Viewed the panel series",
    "exploitation.period.close": "Closed a concern period",
    "exploitation.period.level": "Changed a concern period's level",
    "exploitation.period.open": "Opened a concern period",
    "exploitation.period_close_viewed": "Opened a concern period to close it",
    "exploitation.period_edit_viewed": "Opened a concern period to change it",
    "exploitation.period_new_viewed": "Opened the form for a new concern period",
    "exploitation.period_viewed": "Viewed a concern period",
    "exploitation.referral.decide": "Decided a front door referral",
    "exploitation.referral.list_viewed": "Viewed the front door referrals",
    "exploitation.referral.new_viewed": "Opened the form for a new referral",
    "exploitation.referral.record": "Recorded a front door referral",
    "exploitation.referral.viewed": "Viewed a front door referral",
    "exploitation.screening_task.close": "Closed a screening task as not needed",
    "exploitation.screening_task.raise": "Raised a task to screen a child",
    "exploitation.screening_task_viewed": "Opened a screening task to close it",
    "exploitation.screening_tasks_viewed": "Viewed the children to screen",
    "exploitation.strategy.action_add": "Added an action to a strategy discussion",
    "exploitation.strategy.action_done": "Marked a strategy action done",
    "exploitation.strategy.list_viewed": "Viewed the strategy discussions",
    "exploitation.strategy.new_viewed": "Opened the form for a new strategy discussion",
    "exploitation.strategy.record": "Recorded a strategy discussion as held",
    "exploitation.strategy.record_viewed": "Opened a strategy discussion to record it",
    "exploitation.strategy.request": "Requested a strategy discussion",
    "exploitation.strategy.viewed": "Viewed a strategy discussion",
    "exploitation.support.change": "Changed a support referral",
    "exploitation.support.new_viewed": "Opened the form for a new support referral",
    "exploitation.support.record": "Recorded a support referral",
    "exploitation.support.viewed": "Viewed a support referral",
    "exploitation.place.create": "Recorded a place of concern",
    "exploitation.place.change": "Changed a place of concern",
    "exploitation.place.link_child": "Linked a child to a place",
    "exploitation.place.match_found_location": "Matched where a child was found to a place",
    "exploitation.place.set_aside_found_location": "Set aside a found location as not of concern",
    "exploitation.place.found_at_moved": "Moved a found-at link to the episode's new day found",
    "exploitation.place.found_at_withdrawn": (
        "Withdrew a found-at match after the episode was amended"
    ),
    "exploitation.place.set_aside_withdrawn": (
        "Withdrew a set-aside found location after the episode was amended"
    ),
    "exploitation.place_list_viewed": "Viewed the places of concern",
    "exploitation.place_viewed": "Viewed a place of concern",
    "exploitation.place_new_viewed": "Opened the form for a new place",
    "exploitation.place_change_viewed": "Opened a place to change it",
    "exploitation.found_at_list_viewed": "Viewed the found locations to match",
    "exploitation.found_at_set_aside_viewed": "Opened a found location to set it aside",
    "exploitation.found_at_new_place_viewed": "Opened a found location to record it as a new place",
    "exploitation.hotspots_viewed": "Viewed the hotspots",
    "exploitation.places_geojson_downloaded": "Downloaded the places map file (GeoJSON)",
    "exploitation.places_geojson_exported": "Exported the places map file (GeoJSON) by command",
    "exploitation.place_link_child_viewed": "Opened the page to link a child to a place",
    "exploitation.person_register_viewed": "Viewed the person register",
    "exploitation.person_viewed": "Viewed a person of concern",
    "exploitation.person_new_viewed": "Opened the form for a new person of concern",
    "exploitation.person_change_viewed": "Opened a person of concern to change",
    "exploitation.person_link_child_viewed": "Opened the form to link a person to a child",
    "exploitation.person_link_person_viewed": "Opened the form to link two persons",
    "exploitation.person_link_place_viewed": "Opened the form to link a person to a place",
    "exploitation.person_restricted_refused": "Was refused a restricted person",
    "exploitation.person.create": "Recorded a person of concern",
    "exploitation.person.change": "Changed a person of concern",
    "exploitation.person.alias_add": "Added an alias to a person",
    "exploitation.person.alias_remove": "Removed an alias from a person",
    "exploitation.person.identifier_add": "Added an identifier to a person",
    "exploitation.person.identifier_remove": "Removed an identifier from a person",
    "exploitation.person.link_child": "Linked a person to a child",
    "exploitation.person.link_person": "Linked two persons",
    "exploitation.person.link_place": "Linked a person to a place",
    "exploitation.intelligence.submit": "Submitted intelligence",
    "exploitation.intelligence.police_response": "Recorded the police response to intelligence",
    "exploitation.intelligence_new_viewed": "Opened the page to submit intelligence",
    "exploitation.intelligence_list_viewed": "Viewed the intelligence log",
    "exploitation.intelligence_viewed": "Viewed an intelligence submission",
    "exploitation.intelligence_edit_viewed": "Opened intelligence to record the police response",
    "exploitation.intelligence_links_viewed": (
        "Opened intelligence to link the persons and places it mentions"
    ),
    "exploitation.intelligence.links_reviewed": (
        "Linked the persons and places intelligence mentions"
    ),
    "exploitation.group.create": "Recorded a group",
    "exploitation.group.change": "Changed a group",
    "exploitation.group.add_member": "Added a member to a group",
    "exploitation.group.remove_member": "Removed a member from a group",
    "exploitation.group.add_place": "Linked a place to a group",
    "exploitation.context_assessment.create": "Recorded a context assessment",
    "exploitation.context_assessment.change": "Changed a context assessment",
    "exploitation.context_referral.create": "Recorded a context referral",
    "exploitation.context_referral.decide": "Decided a context referral",
    "exploitation.context_action.create": "Added a context assessment action",
    "exploitation.context_action.done": "Marked a context assessment action done",
    "exploitation.group_list_viewed": "Viewed the group register",
    "exploitation.group_viewed": "Viewed a group",
    "exploitation.group_new_viewed": "Opened the page to add a group",
    "exploitation.group_edit_viewed": "Opened the page to change a group",
    "exploitation.group_member_new_viewed": "Opened the page to add a group member",
    "exploitation.group_place_new_viewed": "Opened the page to link a place to a group",
    "exploitation.context_assessment_new_viewed": "Opened the page to record a context assessment",
    "exploitation.context_assessment_viewed": "Viewed a context assessment",
    "exploitation.context_assessment_edit_viewed": "Opened the page to change a context assessment",
    "exploitation.context_referral_list_viewed": "Viewed the context referrals",
    "exploitation.context_referral_new_viewed": "Opened the page to refer a context",
    "exploitation.context_referral_viewed": "Viewed a context referral",
    "exploitation.network_viewed": "Viewed the network of a child, person, place or group",
    "exploitation.person.erase": "Erased a person of concern past retention",
    "exploitation.person.erased_link_snapshot": (
        "Kept in a child's record what tied them to a person of concern being erased"
    ),
    "exploitation.intelligence.content_purged": "Purged old intelligence content",
    "exploitation.retention.dry_run": "Listed network records past retention (dry run)",
    # The partners' API (docs/api.md)
    "api.token.issue": "Issued an API token",
    "api.token.revoke": "Revoked an API token",
    "api.call": "Called the API with a token",
    "api.notification_held": "Held a police notification from the API for a coordinator",
    "api.held_notification_found": "Recorded the found time of a held API notification",
    "api.held_viewed": "Viewed the notifications from partners to match",
}

# The filter's first choices: everything in one area (the start of the code).
AREAS = (
    ("accounts.", "Anything about signing in and staff accounts"),
    ("children.", "Anything about children's records"),
    ("missing.", "Anything about missing episodes and police notifications"),
    ("interviews.", "Anything about return interviews"),
    ("meetings.", "Anything about meetings"),
    ("authorities.", "Anything about other authorities"),
    ("exploitation.", "Anything about exploitation casework"),
    ("report.", "Anything about reports"),
    ("audit.", "Anything about the audit trail"),
    ("api.", "Anything about the partners' API"),
)

VERBS = {"create": "Created", "change": "Changed", "update": "Changed", "delete": "Deleted"}


def action_name(code: str) -> str:
    """The plain-English name of an action code."""
    if code in ACTION_NAMES:
        return ACTION_NAMES[code]
    parts = code.split(".")
    if len(parts) == 3 and parts[2] in VERBS:
        try:
            model = apps.get_model(parts[0], parts[1])
        except (LookupError, ValueError):
            model = None
        if model is not None:
            noun = str(model._meta.verbose_name)
            article = "an" if noun[:1].lower() in "aeiou" else "a"
            return f"{VERBS[parts[2]]} {article} {noun}"
    area, _, rest = code.partition(".")
    words = rest.replace(".", " ").replace("_", " ").strip()
    return f"{area.capitalize()}: {words}" if words else area.capitalize()


def filter_choices() -> list[tuple[str, str]]:
    """The action filter's options: any, each area, then each named action by its name."""
    named = sorted(ACTION_NAMES.items(), key=lambda item: item[1].lower())
    return [("", "Any action"), *AREAS, *named]
