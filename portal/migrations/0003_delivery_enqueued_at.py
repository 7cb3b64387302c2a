"""Delivery.enqueued_at: when a delivery's latest task was handed to the broker.

Deliveries still queued at the upgrade count as handed over when they were due, so that the
sweeper does not take a backlog waiting in the broker for lost tasks and queue it again.
"""

from django.db import migrations, models


def queued_were_enqueued_when_due(apps, schema_editor):
    Delivery = apps.get_model("portal", "Delivery")
    Delivery.objects.filter(status="queued").update(enqueued_at=models.F("next_attempt_at"))


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_countries_and_trigram")]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="enqueued_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="入队时间"),
        ),
        migrations.RunPython(queued_were_enqueued_when_due, migrations.RunPython.noop),
    ]
