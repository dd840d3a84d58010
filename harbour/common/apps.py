from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "harbour.common"
    label = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from .collection import freeze_after_first_request
        from .form_messages import govuk_length_messages_on_every_text_field
        from .text import refuse_in_every_form_text_field

        refuse_in_every_form_text_field()
        govuk_length_messages_on_every_text_field()
        freeze_after_first_request()
