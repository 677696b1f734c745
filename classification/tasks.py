"""Background training: started from the models page, and a weekly retraining from confirmed decisions."""

from __future__ import annotations

from crontask import cron
from django.conf import settings
from django.tasks import task

from classification.models import ModelVersion
from classification.selectors import new_labels_since_active
from classification.services import model_train


@task
def train_models(version_id: int) -> None:
    """Train the queued version (idempotent: a version already trained is left alone)."""
    version = ModelVersion.objects.filter(pk=version_id).first()
    if version is None or version.status != "queued":
        return
    model_train(version=version, actor=None, activate="if_better")


@cron("41 2 * * Sun")
@task
def retrain_models() -> None:
    """Weekly: retrain when enough new confirmed classifications arrived; keep the better model."""
    if ModelVersion.objects.filter(status__in=["queued", "training"]).exists():
        return
    if new_labels_since_active() < settings.OTKLIK_RETRAIN_MIN_NEW:
        return
    model_train(actor=None, activate="if_better")
