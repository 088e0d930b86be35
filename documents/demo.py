"""Demo documents and sign-off chains for the embedded default (``manage.py seed_demo``).

Idempotent: each demo document carries ``external_system="demo"`` and a fixed
``external_id``; an existing one is left alone, so running the loader twice changes nothing.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.models import Organization
from core.registry import demo_loader

from . import services
from .choices import DocumentCategory, ReturnTarget, SecurityLevel, StepStatus
from .models import Delegation, Document

DEMO_SYSTEM = "demo"


def _users():
    names = ["admin", "chen.yiming", "lin.meihua", "wang.jianguo", "huang.shufen", "lee.zhiwei"]
    found = get_user_model().objects.in_bulk(names, field_name="username")
    return found if len(found) == len(names) else None


def _pending(chain, user):
    return chain.steps.get(status=StepStatus.PENDING, assignee=user)


def _register(ref, *, by, unit_code, **fields):
    if Document.objects.filter(external_system=DEMO_SYSTEM, external_id=ref).exists():
        return None
    return services.document_register(
        unit=Organization.objects.get(code=unit_code),
        registered_by=by,
        external_system=DEMO_SYSTEM,
        external_id=ref,
        **fields,
    )


@demo_loader(order=60)
def load_documents(stdout):
    u = _users()
    if u is None:
        stdout.write("  documents: demo users missing, skipped")
        return
    today = timezone.localdate()
    admin, chen, lin = u["admin"], u["chen.yiming"], u["lin.meihua"]
    wang, huang, lee = u["wang.jianguo"], u["huang.shufen"], u["lee.zhiwei"]

    if not Delegation.objects.filter(delegator=wang, delegate=lee).exists():
        services.delegation_create(
            delegator=wang,
            delegate=lee,
            start_date=today - timedelta(days=1),
            end_date=today + timedelta(days=6),
            reason="休假（示範資料）",
            created_by=wang,
        )

    # 1. Countersign in progress: 陳怡明 has signed, 黃淑芬 still to sign, then 系統管理員.
    doc = _register(
        "demo-1",
        by=wang,
        unit_code="IM",
        subject="115年度資訊設備汰換採購案",
        category=DocumentCategory.MEMO,
        sender="資訊處",
        receiver="部長",
        deadline=today + timedelta(days=10),
        description="擬汰換使用逾6年之個人電腦120台，請會簽勞動關係司及勞動條件及就業平等司。",
    )
    if doc:
        chain = services.signoff_start(
            document=doc,
            steps=[
                {"order": 1, "user": chen},
                {"order": 1, "user": huang},
                {"order": 2, "user": admin},
            ],
            started_by=wang,
        )
        services.signoff_approve(step=_pending(chain, chen), actor=chen, comment="敬會。")

    # 2. Overdue, waiting for 王建國 (on leave: 李志偉 may sign on his behalf).
    doc = _register(
        "demo-2",
        by=chen,
        unit_code="DLR",
        subject="函轉新北市政府勞資爭議調解申請案",
        category=DocumentCategory.INCOMING,
        sender="新北市政府勞工局",
        receiver="勞動部",
        deadline=today - timedelta(days=3),
    )
    if doc:
        services.signoff_start(document=doc, steps=[{"order": 1, "user": wang}], started_by=chen)

    # 3. Approved.
    doc = _register(
        "demo-3",
        by=lin,
        unit_code="SEC",
        subject="召開第12次部務會報通知",
        category=DocumentCategory.OUTGOING,
        sender="秘書處",
        receiver="本部各單位",
        deadline=today + timedelta(days=3),
    )
    if doc:
        chain = services.signoff_start(
            document=doc,
            steps=[{"order": 1, "user": wang}, {"order": 2, "user": chen}],
            started_by=lin,
        )
        services.signoff_approve(step=_pending(chain, wang), actor=wang, comment="核可。")
        services.signoff_approve(step=_pending(chain, chen), actor=chen, comment="如擬。")

    # 4. Restricted (密), returned to the originator with a comment.
    doc = _register(
        "demo-4",
        by=huang,
        unit_code="DLSEE",
        subject="性別平等工作法修正草案意見彙整",
        category=DocumentCategory.MEMO,
        security_level=SecurityLevel.RESTRICTED,
        sender="勞動條件及就業平等司",
        receiver="部長",
        deadline=today + timedelta(days=14),
    )
    if doc:
        chain = services.signoff_start(
            document=doc, steps=[{"order": 1, "user": lin}], started_by=huang
        )
        services.signoff_return(
            step=_pending(chain, lin),
            actor=lin,
            comment="請補充近三年申訴案件統計數據後再陳。",
            to=ReturnTarget.ORIGINATOR,
        )

    # 5. Registered only.
    _register(
        "demo-5",
        by=admin,
        unit_code="IM",
        subject="資通安全維護計畫實施情形報告",
        category=DocumentCategory.INCOMING,
        sender="數位發展部資通安全署",
        receiver="勞動部",
        deadline=today + timedelta(days=30),
    )
    count = Document.objects.filter(external_system=DEMO_SYSTEM).count()
    stdout.write(f"  documents: {count} demo documents")
