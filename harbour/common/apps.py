from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "harbour.common"
    label = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from .text import refuse_in_every_form_text_field

        refuse_in_every_form_text_field()
