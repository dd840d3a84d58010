from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "harbour.meetings"
    label = "meetings"

    def ready(self) -> None:
        # A change to a child's episodes raises, joins or withdraws their meeting task in
        # the same transaction; missing calls back rather than import meetings.
        from harbour.missing import services as missing

        from . import triggers

        missing.after_episodes_change(triggers.evaluate)
