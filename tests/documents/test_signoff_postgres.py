"""Sign-off actions racing each other on a real PostgreSQL (one connection per thread)."""

import threading

import pytest
from django.db import close_old_connections, connection

from documents import services
from documents.choices import ActionKind, ChainStatus, StepStatus
from documents.models import SignOffAction, SignOffChain

from .factories import DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def race(jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes = []

    def run(job):
        try:
            close_old_connections()
            barrier.wait(timeout=30)
            job()
            outcomes.append("ok")
        except services.StepAlreadyHandled:
            outcomes.append("already handled")
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_simultaneous_double_submit_approves_once(needs_postgres):
    originator, signer, next_signer = (UserFactory(username=n) for n in ("o", "s", "n"))
    document = DocumentFactory(registered_by=originator)
    chain = services.signoff_start(
        document=document,
        steps=[{"order": 1, "user": signer}, {"order": 2, "user": next_signer}],
        started_by=originator,
    )
    step = chain.steps.get(assignee=signer)
    outcomes = race([lambda: services.signoff_approve(step=step, actor=signer)] * 8)
    assert sorted(map(str, outcomes)) == ["already handled"] * 7 + ["ok"]
    assert SignOffAction.objects.filter(kind=ActionKind.APPROVE).count() == 1
    assert chain.steps.get(assignee=next_signer).status == StepStatus.PENDING


def test_parallel_countersigners_approving_at_once_finish_the_chain(needs_postgres):
    originator = UserFactory(username="orig")
    signers = [UserFactory(username=f"cs{n}") for n in range(6)]
    document = DocumentFactory(registered_by=originator)
    chain = services.signoff_start(
        document=document,
        steps=[{"order": 1, "user": s} for s in signers],
        started_by=originator,
    )
    steps = {s.assignee_id: s for s in chain.steps.all()}
    outcomes = race(
        [(lambda s=s: services.signoff_approve(step=steps[s.pk], actor=s)) for s in signers]
    )
    assert outcomes == ["ok"] * len(signers)
    assert SignOffChain.objects.get(pk=chain.pk).status == ChainStatus.APPROVED
