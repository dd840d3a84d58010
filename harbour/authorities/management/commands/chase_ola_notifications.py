"""How many OLA notification logs need a chaser or an escalation now (for cron, or a morning
check). Prints counts only: no names or references, since its output may end up in a log."""

from django.core.management.base import BaseCommand
from django.db.models import Count
from django.utils import timezone

from harbour.authorities.models import OlaLog
from harbour.authorities.queries import AWAITED, OlaStatus, status_expression
from harbour.common.time import epoch_seconds


class Command(BaseCommand):
    help = (
        "Count the OLA episodes whose interview request is awaiting a response: chaser due, "
        "escalation due, escalated, awaiting. Changes nothing."
    )

    def handle(self, *args: object, **options: object) -> None:
        counts = dict(
            OlaLog.objects.filter(request_epoch__isnull=False)
            .annotate(ola_status=status_expression(epoch_seconds(timezone.now()), log=""))
            .filter(ola_status__in=[status.value for status in AWAITED])
            .values("ola_status")
            .annotate(n=Count("pk"))
            .values_list("ola_status", "n")
        )
        for status in AWAITED:
            self.stdout.write(f"{OlaStatus(status).label}: {counts.get(status.value, 0)}")
