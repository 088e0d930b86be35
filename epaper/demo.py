"""Demo data of the e-papers: sent issues of every newsletter (realistic Chinese content, in
the public archive and its feeds), one draft, the demo editors and a few confirmed
subscribers. Nothing is mailed: the issues are written as already sent (their statistics
filled in), and no issue is left scheduled, so the periodic send has nothing to start.

Numbers come from the same counter as real issues (``core.sequences``, scope
``epaper:issue:<code>``), so an issue an editor schedules later gets the next one.
Idempotent: an issue is keyed by its newsletter and title, a subscriber by its address, a
role by its holder.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from accounts.oidc.services import role_assign
from core.registry import demo_loader
from core.sequences import next_value

from .constants import ISSUE_NUMBER_SCOPE, PRIVACY_VERSION
from .models import (
    Issue,
    IssueState,
    Newsletter,
    Subscriber,
    Subscription,
    SubscriptionState,
)
from .roles import MANAGER, editor_role
from .services.issues import ISSUE_NUMBER_YEAR, clean_html, html_to_text

# (demo username of accounts/demo.py, role)
DEMO_ROLES = [
    ("lin.meihua", editor_role("weekly")),
    ("lin.meihua", editor_role("bulletin")),
    ("lin.meihua", editor_role("education")),
    ("huang.shufen", editor_role("statistics")),
    ("huang.shufen", editor_role("quarterly")),
    ("chen.yiming", editor_role("bli")),
    ("lee.zhiwei", editor_role("wda")),
    ("wang.jianguo", MANAGER),
]

# (address, newsletter codes): confirmed demo subscribers (made-up addresses, never mailed).
DEMO_SUBSCRIBERS = [
    ("demo.reader1@example.com", ["weekly", "bulletin", "statistics"]),
    ("demo.reader2@example.com", ["weekly", "bli"]),
    ("demo.reader3@example.com", ["education", "wda", "weekly"]),
    ("demo.reader4@example.com", ["quarterly", "statistics"]),
    ("demo.reader5@example.com", ["bli", "wda", "bulletin"]),
]

MOL = "https://www.mol.gov.tw/"

# newsletter code -> [(days ago it was sent, title, HTML)], oldest first.
ISSUES = {
    "weekly": [
        (
            21,
            "基本工資調整 明年起月薪29,500元",
            "<h1>勞工電子週報</h1>"
            "<h2>基本工資審議結果出爐</h2>"
            "<p>基本工資審議委員會決議，自明年1月1日起，每月基本工資調整為29,500元，"
            "每小時基本工資調整為196元。雇主應依新標準給付工資，並留意加班費、"
            "勞工保險及勞工退休金提繳工資的連動調整。</p>"
            "<ul><li>月薪：28,590元調整為29,500元</li>"
            "<li>時薪：190元調整為196元</li></ul>"
            f'<p><a href="{MOL}">詳見勞動部網站公告</a></p>'
            "<h2>小提醒：部分工時勞工同樣適用</h2>"
            "<p>按時計酬的部分工時勞工，每小時工資不得低於196元；"
            "雇主若低於基本工資給付，將依勞動基準法處罰。</p>",
        ),
        (
            14,
            "職場霸凌防治新制 雇主應訂定處理程序",
            "<h1>勞工電子週報</h1>"
            "<h2>職場霸凌防治與申訴</h2>"
            "<p>職業安全衛生法施行細則修正後，僱用勞工達一定人數的事業單位，"
            "應訂定職場不法侵害預防計畫，並建立申訴與調查處理程序。"
            "勞工遭受霸凌時，可向公司申訴管道提出，也可向地方勞工主管機關申訴。</p>"
            "<h2>申訴管道</h2>"
            "<ol><li>事業單位內部申訴窗口</li>"
            "<li>直轄市、縣（市）政府勞工局（處）</li>"
            "<li>勞工諮詢申訴專線 1955</li></ol>"
            "<blockquote><p>遭遇職場霸凌，請保留訊息、錄音與證人資料，作為申訴佐證。</p>"
            "</blockquote>",
        ),
        (
            7,
            "颱風假出勤怎麼算？停班停課期間勞工權益",
            "<h1>勞工電子週報</h1>"
            "<h2>天然災害發生時的出勤</h2>"
            "<p>依「天然災害發生事業單位勞工出勤管理及工資給付要點」，"
            "地方政府宣布停止上班時，勞工未出勤者，雇主不得視為曠工、遲到，"
            "或強迫以事假或其他假別處理，亦不得扣發全勤獎金、解僱或為其他不利之處分。</p>"
            "<h2>出勤者的工資</h2>"
            "<p>勞工於停止上班日出勤者，雇主宜加給工資，並提供必要的交通工具或津貼。</p>"
            "<table><caption>停班日出勤的處理</caption>"
            '<tr><th scope="col">情況</th><th scope="col">建議做法</th></tr>'
            "<tr><td>未出勤</td><td>不得扣薪或記曠職</td></tr>"
            "<tr><td>出勤</td><td>加給工資、提供交通協助</td></tr></table>",
        ),
    ],
    "bulletin": [
        (
            62,
            "育嬰留職停薪可按日申請 新制上路",
            "<h1>台灣勞工簡訊</h1>"
            "<h2>彈性育嬰留職停薪</h2>"
            "<p>受僱者得以日為單位申請育嬰留職停薪，每人最多30日，"
            "讓家長能更彈性地照顧子女。申請時應於10日前以書面向雇主提出。</p>"
            f'<p><a href="{MOL}">育嬰留職停薪實施辦法</a></p>',
        ),
        (
            31,
            "勞動檢查年度計畫 聚焦工時與職安",
            "<h1>台灣勞工簡訊</h1>"
            "<h2>今年度勞動檢查重點</h2>"
            "<p>勞動部今年度勞動檢查將聚焦長工時、未依法給付加班費及高風險作業的職業安全，"
            "對違規事業單位加強複查。</p>"
            "<ul><li>物流業、餐飲業工時檢查</li><li>營造業墜落災害預防</li>"
            "<li>高溫作業熱危害預防</li></ul>",
        ),
    ],
    "education": [
        (
            45,
            "線上課程：認識勞動契約",
            "<h1>全民勞教e網電子報</h1>"
            "<h2>本月推薦課程</h2>"
            "<p>「認識勞動契約」線上課程以案例說明定期與不定期契約、試用期、"
            "離職預告期間及資遣費計算，適合即將進入職場的青年。</p>"
            "<p>課程長度約40分鐘，完成後可下載學習證明。</p>",
        ),
        (
            15,
            "青年打工權益懶人包",
            "<h1>全民勞教e網電子報</h1>"
            "<h2>打工前先看這些</h2>"
            "<ol><li>確認時薪不低於基本工資</li><li>雇主應為你投保勞保、提繳勞退</li>"
            "<li>保存排班表與薪資單</li></ol>"
            "<p>遇到問題，請撥打勞工諮詢申訴專線 1955。</p>",
        ),
    ],
    "quarterly": [
        (
            120,
            "專題：高齡勞動力的再就業",
            "<h1>台灣勞工季刊</h1>"
            "<h2>本期專題</h2>"
            "<p>面對人口高齡化，本期專題探討中高齡及高齡者就業促進法施行後的成效，"
            "並訪談三家推動世代合作的企業，分享職務再設計與傳承制度的經驗。</p>"
            "<h2>專家觀點</h2>"
            "<blockquote><p>延長職業生涯，關鍵在於彈性工時與持續學習。</p></blockquote>",
        ),
        (
            30,
            "專題：淨零轉型下的綠色職能",
            "<h1>台灣勞工季刊</h1>"
            "<h2>本期專題</h2>"
            "<p>淨零排放政策帶動產業轉型，本期介紹綠色職能的內涵、"
            "職業訓練課程的調整方向，以及勞工如何提前準備轉職所需技能。</p>",
        ),
    ],
    "statistics": [
        (
            40,
            "上月失業率3.38% 勞動力參與率59.2%",
            "<h1>勞動統計電子報</h1>"
            "<h2>人力資源調查摘要</h2>"
            "<table><caption>主要勞動指標</caption>"
            '<tr><th scope="col">指標</th><th scope="col">數值</th></tr>'
            "<tr><td>失業率</td><td>3.38%</td></tr>"
            "<tr><td>勞動力參與率</td><td>59.2%</td></tr>"
            "<tr><td>就業人數</td><td>1,160萬人</td></tr></table>"
            "<p>資料來源：人力資源調查（初步統計）。</p>",
        ),
        (
            10,
            "受僱員工薪資統計：平均經常性薪資46,800元",
            "<h1>勞動統計電子報</h1>"
            "<h2>薪資與工時統計</h2>"
            "<p>工業及服務業受僱員工每人每月平均經常性薪資為46,800元，"
            "較去年同月增加2.6%；平均工時為167.5小時。</p>"
            f'<p><a href="{MOL}">下載完整統計表</a></p>',
        ),
    ],
    "bli": [
        (
            35,
            "勞保年金線上試算服務",
            "<h1>勞工保險局電子報</h1>"
            "<h2>老年年金給付試算</h2>"
            "<p>勞保局網站提供老年年金給付線上試算，輸入投保年資與平均月投保薪資，"
            "即可比較一次請領與年金給付的差異。</p>"
            "<p>試算結果僅供參考，實際給付以核定為準。</p>",
        ),
        (
            5,
            "勞保、就保投保薪資分級表調整",
            "<h1>勞工保險局電子報</h1>"
            "<h2>投保薪資分級表修正</h2>"
            "<p>配合基本工資調整，勞工保險投保薪資分級表第一級調整為29,500元，"
            "投保單位應於生效日起為所屬勞工調整投保薪資。</p>",
        ),
    ],
    "wda": [
        (
            50,
            "產業新尖兵計畫 青年免費參訓",
            "<h1>勞動力發展署電子報</h1>"
            "<h2>產業新尖兵計畫</h2>"
            "<p>15至29歲青年可免費參加數位、綠能等產業課程，"
            "參訓期間每月最高可領8,000元學習獎勵金。</p>"
            "<ul><li>報名資格：15至29歲本國籍青年</li>"
            "<li>課程領域：人工智慧、資訊安全、綠能科技</li></ul>",
        ),
        (
            12,
            "失業者職業訓練生活津貼申請說明",
            "<h1>勞動力發展署電子報</h1>"
            "<h2>職業訓練生活津貼</h2>"
            "<p>非自願離職者經公立就業服務機構推介參加全日制職業訓練，"
            "可申請職業訓練生活津貼，按月發給基本工資的60%。</p>"
            "<p>請攜帶離職證明至各地就業中心辦理求職登記。</p>",
        ),
    ],
}

# (newsletter code, title, HTML, editor username): a draft to see on the editors' pages.
DRAFTS = [
    (
        "weekly",
        "（草稿）年終獎金與特別休假未休工資",
        "<h1>勞工電子週報</h1><h2>年終獎金</h2>"
        "<p>年終獎金是否發給及金額，依勞動契約、工作規則或團體協約約定。</p>"
        "<h2>特別休假未休完</h2><p>年度終結未休畢的特別休假日數，雇主應發給工資。</p>",
        "lin.meihua",
    ),
]


def _roles(users) -> int:
    given = 0
    for username, role in DEMO_ROLES:
        if username in users:
            role_assign(application=None, user=users[username], role_code=role)
            given += 1
    return given


def _subscribers(newsletters, now) -> int:
    created = 0
    for email, codes in DEMO_SUBSCRIBERS:
        subscriber, made = Subscriber.objects.get_or_create(
            email=email,
            defaults={
                "consented_at": now,
                "consent_source": "demo",
                "privacy_version": PRIVACY_VERSION,
            },
        )
        created += int(made)
        for code in codes:
            Subscription.objects.get_or_create(
                subscriber=subscriber,
                newsletter=newsletters[code],
                defaults={
                    "state": SubscriptionState.CONFIRMED,
                    "source": "demo",
                    "confirmed_at": now,
                },
            )
    return created


def _issue(newsletter, title, html, *, editor=None, sent_at=None, recipients=0) -> bool:
    if Issue.objects.filter(newsletter=newsletter, title=title).exists():
        return False
    cleaned = clean_html(html)
    issue = Issue(
        newsletter=newsletter,
        title=title,
        html=cleaned,
        text=html_to_text(cleaned),
        created_by=editor,
    )
    if sent_at is not None:
        issue.number = next_value(
            scope=f"{ISSUE_NUMBER_SCOPE}:{newsletter.code}", year=ISSUE_NUMBER_YEAR
        )
        issue.state = IssueState.SENT
        issue.scheduled_at = sent_at
        issue.started_at = sent_at
        issue.published_at = sent_at
        issue.sent_at = sent_at + timedelta(minutes=3)
        issue.recipients = recipients
        issue.sent_count = recipients
    issue.save()
    return True


@demo_loader(order=60)
def load_epaper(stdout):
    now = timezone.now()
    newsletters = {n.code: n for n in Newsletter.objects.all()}
    usernames = {r[0] for r in DEMO_ROLES}
    users = {u.username: u for u in User.objects.filter(username__in=usernames, is_active=True)}
    roles_given = _roles(users)
    new_subscribers = _subscribers(newsletters, now)
    editors = {}
    for username, role in DEMO_ROLES:
        code = role.removeprefix("epaper.editor.")
        if code in newsletters and username in users:
            editors.setdefault(code, users[username])
    created = 0
    for code, issues in ISSUES.items():
        newsletter = newsletters.get(code)
        if newsletter is None:
            continue
        recipients = Subscription.objects.filter(
            newsletter=newsletter, state=SubscriptionState.CONFIRMED
        ).count()
        for days, title, html in issues:
            sent_at = timezone.localtime(now - timedelta(days=days)).replace(
                hour=9, minute=0, second=0, microsecond=0
            )
            created += _issue(
                newsletter,
                title,
                html,
                editor=editors.get(code),
                sent_at=sent_at,
                recipients=recipients,
            )
    for code, title, html, username in DRAFTS:
        if code in newsletters:
            created += _issue(newsletters[code], title, html, editor=users.get(username))
    stdout.write(
        f"  epaper: {created} new demo issues, {new_subscribers} new demo subscribers, "
        f"{roles_given} editor roles (nothing mailed)"
    )
