from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "harbour.returns"
    label = "returns"

    def ready(self) -> None:
        # `report ssda903 --year Y`: reports may not import this app, so it is registered.
        from harbour.reports.kinds import YearReport, register_year_report

        from .ssda903 import statistics

        register_year_report(
            statistics.KIND,
            YearReport(statistics.build_statistics, statistics.for_publication, statistics.as_text),
        )
