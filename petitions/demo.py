"""Demo data of the citizen mailbox: categories, routing to units and a few realistic cases.

Cases go through the real services (submit, then confirm), so each one is numbered,
registered as an official document and routed like a citizen's. Demo staff get petitions roles
(``DEMO_ROLES``) and the handling units a head to sign off replies (``DEMO_UNIT_HEADS``).
Idempotent: a case is keyed by its demo sender address, a role by its holder and unit.
"""

from accounts import authz
from accounts.choices import UnitOfficerKind, UnitOfficerSource
from accounts.models import UnitOfficer, User
from accounts.oidc.services import role_assign
from core.models import County, Organization
from core.registry import demo_loader

from . import roles
from .models import Category, Petition, ReplyTemplate, RoutingRule
from .services.cases import petition_confirm, petition_submit
from .services.tokens import token_hash

# (code, name_zh, name_en, handling unit code, working days)
CATEGORIES = [
    ("labour-disputes", "勞資爭議", "Labour disputes", "DLR", 6),
    ("labour-standards", "勞動條件", "Working conditions", "DLSEE", 6),
    ("equal-employment", "性別平等工作", "Gender equality at work", "DLSEE", 6),
    ("labour-insurance", "勞工保險", "Labour insurance", "DLI", 6),
    ("pensions", "勞工退休金", "Labour pensions", "DLWR", 6),
    ("safety", "職業安全衛生", "Occupational safety and health", "OSHA", 6),
    ("employment", "就業服務與職業訓練", "Employment services and training", "WDA", 6),
    ("other", "其他", "Other", "DP", 6),
]

# (demo username of accounts/demo.py, role, unit code or None for every unit)
DEMO_ROLES = [
    ("chen.yiming", roles.HANDLER, "DLR"),
    ("huang.shufen", roles.HANDLER, "DLSEE"),
    ("lin.meihua", roles.SUPERVISOR, None),
    ("lin.meihua", roles.DISPATCHER, None),
]

# (unit code, demo username): the head who signs off the unit's replies (route
# ``petitions.reply``), set only when the unit has no head yet (HR data wins).
DEMO_UNIT_HEADS = [
    ("DLR", "lin.meihua"),
    ("DLSEE", "lin.meihua"),
]

# (name, category code or None for every category, text). No greeting and no signature: the
# reply e-mail (templates/petitions/emails/reply.txt) adds both.
REPLY_TEMPLATES = [
    (
        "加班費與補休",
        "labour-standards",
        "依勞動基準法第24條及第32條之1，雇主延長工作時間應依規定加給工資；"
        "勞工經與雇主協商同意後，始得選擇補休。"
        "本部已函請事業單位所在地之地方主管機關派員查察，查有違法將依法處分。",
    ),
    (
        "育嬰留職停薪",
        "equal-employment",
        "依性別平等工作法第16條，受僱者任職滿6個月後，於每一子女滿3歲前，得申請育嬰留職停薪，"
        "雇主不得拒絕。您可向工作所在地之直轄市或縣（市）政府勞工行政主管機關申訴。",
    ),
    (
        "已轉請地方主管機關處理",
        None,
        "您所反映的事項屬地方主管機關權責，本部已轉請其依權責處理，並請其將處理結果直接答復您。",
    ),
]

# (sender, name, county code, category code, subject, text)
CASES = [
    (
        "demo.citizen1@example.com",
        "張美玲",
        "63000",
        "labour-standards",
        "公司未依規定給付加班費",
        "我在臺北市一家物流公司擔任倉管，過去三個月每週加班超過十小時，"
        "公司都以補休代替且未經我同意，請問是否違反勞動基準法？",
    ),
    (
        "demo.citizen2@example.com",
        "陳志豪",
        "64000",
        "safety",
        "工地未設置安全護欄",
        "高雄市某建案工地三樓以上的開口沒有護欄，工人也沒有配戴安全帶，非常危險，請派員檢查。",
    ),
    (
        "demo.citizen3@example.com",
        "林怡君",
        "66000",
        "equal-employment",
        "育嬰留職停薪申請遭拒",
        "我向公司申請育嬰留職停薪，主管說公司規模小不能請，請問我該如何主張權益？",
    ),
    (
        "demo.citizen4@example.com",
        "黃建華",
        "10007",
        "employment",
        "詢問失業後參加職業訓練的補助",
        "我上個月被資遣，想參加電腦繪圖的職業訓練課程，請問可以申請哪些生活津貼？",
    ),
]


@demo_loader(order=40)
def load_petitions(stdout):
    units = {o.code: o for o in Organization.objects.all()}
    categories = {}
    for order, (code, name_zh, name_en, unit, days) in enumerate(CATEGORIES, start=1):
        category, _ = Category.objects.get_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en, "sort": order * 10}
        )
        categories[code] = category
        if unit in units:
            RoutingRule.objects.get_or_create(
                category=category, defaults={"unit": units[unit], "working_days": days}
            )
    counties = {c.code: c for c in County.objects.all()}
    created = 0
    for number, (email, name, county, category, subject, body) in enumerate(CASES, start=1):
        if Petition.objects.filter(citizen_email=email).exists():
            continue
        petition = petition_submit(
            name=name,
            email=email,
            subject=subject,
            body=body,
            category=categories[category],
            county=counties.get(county),
            consent=True,
        )
        # The citizen's e-mailed link carries a random token we never see; give the demo case a
        # known one and confirm through the same service the link uses.
        token = f"demo-confirmation-{number}"
        Petition.objects.filter(pk=petition.pk).update(confirmation_token_hash=token_hash(token))
        petition_confirm(token=token)
        created += 1
    usernames = {r[0] for r in DEMO_ROLES} | {h[1] for h in DEMO_UNIT_HEADS}
    users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    for username, role, unit in DEMO_ROLES:
        if username in users and (unit is None or unit in units):
            role_assign(
                application=None,
                user=users[username],
                role_code=role,
                scope=units[unit] if unit else None,
            )
    for unit, username in DEMO_UNIT_HEADS:
        if unit in units and username in users and authz.unit_head(units[unit]) is None:
            UnitOfficer.objects.get_or_create(
                unit=units[unit],
                kind=UnitOfficerKind.HEAD,
                defaults={"user": users[username], "source": UnitOfficerSource.MANUAL},
            )
    for name, category, body in REPLY_TEMPLATES:
        ReplyTemplate.objects.get_or_create(
            name=name, defaults={"category": categories.get(category), "body": body}
        )
    stdout.write(
        f"  petitions: {len(CATEGORIES)} categories, {len(REPLY_TEMPLATES)} reply templates, "
        f"{created} new demo cases"
    )
