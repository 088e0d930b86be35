"""Reference data of the labour-administration platform: roles, the seeded case types, the
industrial classification (行業統計分類, 11th revision) and numbering."""

ROLE_CLERK = "labor_admin.clerk"
ROLE_SUPERVISOR = "labor_admin.supervisor"
ROLE_VIEWER = "labor_admin.viewer"

#: Roles that let a person see a unit's cases (each covers the units it is held in).
READ_ROLES = (ROLE_CLERK, ROLE_SUPERVISOR, ROLE_VIEWER)
#: Roles that let a person change a unit's cases (intake, edit, transitions).
WRITE_ROLES = (ROLE_CLERK, ROLE_SUPERVISOR)

SEQUENCE_SCOPE = "labor_admin:{unit_id}"
APPROVAL_PURPOSE = "labor_admin.transition"
API_SCOPE = "labor_admin"

# Industry sectors A-S and their divisions (中華民國行業統計分類 第11次修正).
INDUSTRY_SECTORS = [
    ("A", "農、林、漁、牧業", "Agriculture, forestry, fishing and animal husbandry"),
    ("B", "礦業及土石採取業", "Mining and quarrying"),
    ("C", "製造業", "Manufacturing"),
    ("D", "電力及燃氣供應業", "Electricity and gas supply"),
    ("E", "用水供應及污染整治業", "Water supply and remediation activities"),
    ("F", "營建工程業", "Construction"),
    ("G", "批發及零售業", "Wholesale and retail trade"),
    ("H", "運輸及倉儲業", "Transportation and storage"),
    ("I", "住宿及餐飲業", "Accommodation and food service activities"),
    ("J", "出版影音及資通訊業", "Publishing, audiovisual, information and communication"),
    ("K", "金融及保險業", "Financial and insurance activities"),
    ("L", "不動產業", "Real estate activities"),
    ("M", "專業、科學及技術服務業", "Professional, scientific and technical activities"),
    ("N", "支援服務業", "Support service activities"),
    ("O", "公共行政及國防；強制性社會安全", "Public administration and defence"),
    ("P", "教育業", "Education"),
    ("Q", "醫療保健及社會工作服務業", "Human health and social work activities"),
    ("R", "藝術、娛樂及休閒服務業", "Arts, entertainment and recreation"),
    ("S", "其他服務業", "Other service activities"),
]

INDUSTRY_DIVISIONS = [
    ("01", "A", "農、牧業", "Crop and animal production"),
    ("02", "A", "林業", "Forestry"),
    ("03", "A", "漁業", "Fishing"),
    ("05", "B", "石油及天然氣礦業", "Crude petroleum and natural gas"),
    ("06", "B", "砂、石及黏土採取業", "Quarrying of sand, stone and clay"),
    ("08", "C", "食品及飼品製造業", "Food and feed"),
    ("09", "C", "飲料製造業", "Beverages"),
    ("10", "C", "菸草製造業", "Tobacco products"),
    ("11", "C", "紡織業", "Textiles"),
    ("12", "C", "成衣及服飾品製造業", "Wearing apparel"),
    ("13", "C", "皮革、毛皮及其製品製造業", "Leather and fur products"),
    ("14", "C", "木竹製品製造業", "Wood and bamboo products"),
    ("15", "C", "紙漿、紙及紙製品製造業", "Pulp and paper products"),
    ("16", "C", "印刷及資料儲存媒體複製業", "Printing and reproduction of media"),
    ("17", "C", "石油及煤製品製造業", "Petroleum and coal products"),
    ("18", "C", "化學原材料、肥料、氮化合物、塑橡膠原料及人造纖維製造業", "Basic chemicals"),
    ("19", "C", "其他化學製品製造業", "Other chemical products"),
    ("20", "C", "藥品及醫用化學製品製造業", "Pharmaceuticals"),
    ("21", "C", "橡膠製品製造業", "Rubber products"),
    ("22", "C", "塑膠製品製造業", "Plastics products"),
    ("23", "C", "非金屬礦物製品製造業", "Non-metallic mineral products"),
    ("24", "C", "基本金屬製造業", "Basic metals"),
    ("25", "C", "金屬製品製造業", "Fabricated metal products"),
    ("26", "C", "電子零組件製造業", "Electronic parts and components"),
    ("27", "C", "電腦、電子產品及光學製品製造業", "Computers, electronic and optical products"),
    ("28", "C", "電力設備及配備製造業", "Electrical equipment"),
    ("29", "C", "機械設備製造業", "Machinery and equipment"),
    ("30", "C", "汽車及其零件製造業", "Motor vehicles and parts"),
    ("31", "C", "其他運輸工具及其零件製造業", "Other transport equipment"),
    ("32", "C", "家具製造業", "Furniture"),
    ("33", "C", "其他製造業", "Other manufacturing"),
    ("34", "C", "產業用機械設備維修及安裝業", "Repair and installation of machinery"),
    ("35", "D", "電力及燃氣供應業", "Electricity and gas supply"),
    ("36", "E", "用水供應業", "Water supply"),
    ("37", "E", "廢（污）水處理業", "Sewerage"),
    ("38", "E", "廢棄物清除、處理及資源物回收處理業", "Waste collection, treatment, recovery"),
    ("39", "E", "污染整治業", "Remediation activities"),
    ("41", "F", "建築工程業", "Construction of buildings"),
    ("42", "F", "土木工程業", "Civil engineering"),
    ("43", "F", "專門營造業", "Specialised construction"),
    ("45", "G", "批發業", "Wholesale trade"),
    ("47", "G", "零售業", "Retail trade"),
    ("49", "H", "陸上運輸業", "Land transport"),
    ("50", "H", "水上運輸業", "Water transport"),
    ("51", "H", "航空運輸業", "Air transport"),
    ("52", "H", "運輸輔助業", "Supporting activities for transportation"),
    ("53", "H", "倉儲業", "Warehousing and storage"),
    ("54", "H", "郵政及遞送服務業", "Postal and courier activities"),
    ("55", "I", "住宿服務業", "Accommodation"),
    ("56", "I", "餐飲業", "Food and beverage service"),
    ("58", "J", "出版業", "Publishing"),
    ("59", "J", "影片服務、聲音錄製及音樂發行業", "Motion picture, sound and music"),
    ("60", "J", "傳播及節目播送業", "Broadcasting"),
    ("61", "J", "電信業", "Telecommunications"),
    ("62", "J", "電腦程式設計、諮詢及相關服務業", "Computer programming and consultancy"),
    ("63", "J", "資訊服務業", "Information service activities"),
    ("64", "K", "金融中介業", "Financial intermediation"),
    ("65", "K", "保險業", "Insurance"),
    ("66", "K", "證券期貨及金融輔助業", "Securities, futures and auxiliary activities"),
    ("67", "L", "不動產開發業", "Real estate development"),
    ("68", "L", "不動產經營及相關服務業", "Real estate operation and services"),
    ("69", "M", "法律及會計服務業", "Legal and accounting activities"),
    ("70", "M", "企業總管理機構及管理顧問業", "Head offices and management consultancy"),
    ("71", "M", "建築、工程服務及技術檢測、分析服務業", "Architecture, engineering, testing"),
    ("72", "M", "研究發展服務業", "Research and development"),
    ("73", "M", "廣告業及市場研究業", "Advertising and market research"),
    ("74", "M", "專門設計業", "Specialised design"),
    ("75", "M", "獸醫服務業", "Veterinary activities"),
    ("76", "M", "其他專業、科學及技術服務業", "Other professional and technical activities"),
    ("77", "N", "租賃業", "Rental and leasing"),
    ("78", "N", "人力仲介及供應業", "Employment placement and supply"),
    ("79", "N", "旅行及相關服務業", "Travel agencies and related activities"),
    ("80", "N", "保全及私家偵探服務業", "Security and investigation"),
    ("81", "N", "建築物及綠化服務業", "Services to buildings and landscape"),
    ("82", "N", "行政支援服務業", "Office administrative support"),
    ("83", "O", "公共行政及國防；強制性社會安全", "Public administration and defence"),
    ("84", "O", "國際組織及外國機構", "International organisations"),
    ("85", "P", "教育業", "Education"),
    ("86", "Q", "醫療保健業", "Human health activities"),
    ("87", "Q", "居住型照顧服務業", "Residential care activities"),
    ("88", "Q", "其他社會工作服務業", "Other social work activities"),
    ("90", "R", "創作及藝術表演業", "Creative and performing arts"),
    ("91", "R", "圖書館、檔案保存、博物館及類似機構", "Libraries, archives and museums"),
    ("92", "R", "博弈業", "Gambling and betting"),
    ("93", "R", "運動、娛樂及休閒服務業", "Sports, amusement and recreation"),
    ("94", "S", "宗教、職業及類似組織", "Religious, professional and similar organisations"),
    ("95", "S", "個人及家庭用品維修業", "Repair of personal and household goods"),
    ("96", "S", "未分類其他服務業", "Other personal service activities"),
]

# --- the seeded case types -------------------------------------------------------------------
# Workflows: statuses (code, zh, en, initial, final) and transitions
# (from, to, zh, en, role, comment required).
_CLERK = ROLE_CLERK
_SUPER = ROLE_SUPERVISOR

WORKFLOW_STANDARD = {
    "statuses": [
        ("received", "收案", "Received", True, False),
        ("processing", "處理中", "In progress", False, False),
        ("closed", "結案", "Closed", False, True),
        ("withdrawn", "撤回", "Withdrawn", False, True),
    ],
    "transitions": [
        ("received", "processing", "開始處理", "Start handling", _CLERK, False),
        ("processing", "closed", "結案", "Close", _SUPER, False),
        ("received", "withdrawn", "撤回", "Withdraw", _CLERK, True),
        ("processing", "withdrawn", "撤回", "Withdraw", _CLERK, True),
    ],
}
WORKFLOW_MEDIATION = {
    "statuses": [
        ("received", "收案", "Received", True, False),
        ("scheduled", "已排定調解會議", "Meeting scheduled", False, False),
        ("settled", "調解成立", "Settled", False, True),
        ("failed", "調解不成立", "Not settled", False, True),
        ("withdrawn", "撤回", "Withdrawn", False, True),
    ],
    "transitions": [
        ("received", "scheduled", "排定調解會議", "Schedule the meeting", _CLERK, False),
        ("scheduled", "settled", "調解成立", "Record settlement", _SUPER, False),
        ("scheduled", "failed", "調解不成立", "Record no settlement", _SUPER, True),
        ("received", "withdrawn", "撤回", "Withdraw", _CLERK, True),
        ("scheduled", "withdrawn", "撤回", "Withdraw", _CLERK, True),
    ],
}
WORKFLOW_INSPECTION = {
    "statuses": [
        ("received", "收案", "Received", True, False),
        ("inspecting", "檢查中", "Inspecting", False, False),
        ("sanction", "違規處分中", "Sanction in progress", False, False),
        ("closed", "結案", "Closed", False, True),
    ],
    "transitions": [
        ("received", "inspecting", "派員檢查", "Send an inspector", _CLERK, False),
        ("inspecting", "sanction", "移送處分", "Refer for sanction", _CLERK, True),
        ("inspecting", "closed", "檢查結案", "Close: no violation", _SUPER, False),
        ("sanction", "closed", "處分結案", "Close after sanction", _SUPER, False),
    ],
}
WORKFLOW_REVIEW = {
    "statuses": [
        ("received", "收件", "Received", True, False),
        ("reviewing", "審查中", "Under review", False, False),
        ("returned", "退件補正", "Returned for correction", False, False),
        ("approved", "核准", "Approved", False, True),
        ("rejected", "駁回", "Rejected", False, True),
    ],
    "transitions": [
        ("received", "reviewing", "開始審查", "Start review", _CLERK, False),
        ("reviewing", "returned", "退件補正", "Return for correction", _CLERK, True),
        ("returned", "reviewing", "補正後續審", "Resume review", _CLERK, False),
        ("reviewing", "approved", "核准", "Approve", _SUPER, False),
        ("reviewing", "rejected", "駁回", "Reject", _SUPER, True),
    ],
}

_DISPUTE_KINDS = (
    "wage|工資|Wages\nseverance|資遣費|Severance pay\npension|退休金|Pension\n"
    "injury|職災補償|Injury compensation\nhours|工時|Working hours\nother|其他|Other"
)

# (code, zh, en, workflow, deadline days, deadline kind, fields)
# field: (code, zh, en, kind, required, choices)
CASE_TYPES = [
    (
        "MED",
        "勞資爭議調解",
        "Labour dispute mediation",
        WORKFLOW_MEDIATION,
        42,
        "calendar",
        [
            ("dispute_kind", "爭議類別", "Kind of dispute", "choice", True, _DISPUTE_KINDS),
            ("workers", "涉及勞工人數", "Workers involved", "number", True, ""),
            ("claimed_amount", "請求金額", "Amount claimed", "money", False, ""),
            ("meeting_date", "調解會議日期", "Meeting date", "date", False, ""),
        ],
    ),
    (
        "INS",
        "勞動檢查",
        "Labour inspection",
        WORKFLOW_INSPECTION,
        30,
        "working",
        [
            (
                "inspection_kind",
                "檢查類別",
                "Kind of inspection",
                "choice",
                True,
                "standards|勞動條件|Labour standards\nsafety|職業安全衛生|Safety and health",
            ),
            ("inspection_date", "檢查日期", "Inspection date", "date", False, ""),
            ("violations", "違規項數", "Violations found", "number", False, ""),
        ],
    ),
    (
        "CMP",
        "勞動條件申訴",
        "Labour standards complaint",
        WORKFLOW_STANDARD,
        60,
        "calendar",
        [
            ("complaint_kind", "申訴事項", "Subject of complaint", "choice", True, _DISPUTE_KINDS),
            (
                "anonymous",
                "申訴人要求保密",
                "Complainant asks for secrecy",
                "choice",
                True,
                "yes|是|Yes\nno|否|No",
            ),
        ],
    ),
    (
        "OIW",
        "職業災害勞工",
        "Occupational injury",
        WORKFLOW_STANDARD,
        30,
        "working",
        [
            ("injury_date", "災害發生日期", "Date of the injury", "date", True, ""),
            (
                "injury_kind",
                "災害類型",
                "Kind of injury",
                "choice",
                True,
                "fall|墜落|Fall\ncaught|被夾被捲|Caught in machinery\ncut|切割|Cut\n"
                "disease|職業病|Occupational disease\nother|其他|Other",
            ),
            ("compensation", "補償金額", "Compensation", "money", False, ""),
        ],
    ),
    (
        "UNI",
        "工會登記",
        "Union registration",
        WORKFLOW_REVIEW,
        15,
        "working",
        [
            ("union_name", "工會名稱", "Union name", "text", True, ""),
            ("members", "會員人數", "Members", "number", True, ""),
        ],
    ),
    (
        "WRR",
        "工作規則核備",
        "Work rules approval",
        WORKFLOW_REVIEW,
        30,
        "calendar",
        [
            ("employees", "僱用勞工人數", "Employees", "number", True, ""),
            ("revision", "修訂版次", "Revision", "text", False, ""),
        ],
    ),
    (
        "MLO",
        "大量解僱通報",
        "Mass layoff notice",
        WORKFLOW_STANDARD,
        10,
        "calendar",
        [
            ("layoff_count", "預定解僱人數", "Workers to be laid off", "number", True, ""),
            ("layoff_date", "預定解僱日期", "Planned layoff date", "date", True, ""),
        ],
    ),
    (
        "WAG",
        "積欠工資墊償",
        "Arrears wage payment",
        WORKFLOW_REVIEW,
        30,
        "working",
        [
            ("arrears", "積欠工資金額", "Wages owed", "money", True, ""),
            ("workers", "申請勞工人數", "Workers applying", "number", True, ""),
        ],
    ),
    (
        "GEQ",
        "性別平等申訴",
        "Gender equality complaint",
        WORKFLOW_STANDARD,
        60,
        "calendar",
        [
            (
                "complaint_kind",
                "申訴類別",
                "Kind of complaint",
                "choice",
                True,
                "harassment|性騷擾|Sexual harassment\ndiscrimination|性別歧視|Discrimination\n"
                "leave|育嬰留職停薪|Parental leave",
            ),
        ],
    ),
    (
        "DIS",
        "身心障礙者就業",
        "Employment of people with disabilities",
        WORKFLOW_STANDARD,
        30,
        "working",
        [
            ("quota_shortfall", "未足額進用人數", "Quota shortfall", "number", False, ""),
        ],
    ),
    (
        "FOR",
        "外籍勞工",
        "Migrant workers",
        WORKFLOW_STANDARD,
        30,
        "working",
        [
            (
                "nationality",
                "國籍",
                "Nationality",
                "choice",
                True,
                "ID|印尼|Indonesia\nVN|越南|Viet Nam\nPH|菲律賓|Philippines\nTH|泰國|Thailand\n"
                "OT|其他|Other",
            ),
            ("workers", "外籍勞工人數", "Migrant workers", "number", True, ""),
        ],
    ),
    (
        "WEL",
        "職工福利委員會",
        "Staff welfare committee",
        WORKFLOW_REVIEW,
        30,
        "calendar",
        [
            ("fund", "福利金提撥金額", "Welfare fund", "money", False, ""),
        ],
    ),
    (
        "RET",
        "勞工退休準備金",
        "Retirement reserve fund",
        WORKFLOW_REVIEW,
        30,
        "working",
        [
            ("rate", "提撥率（%）", "Contribution rate (%)", "number", True, ""),
            ("balance", "專戶餘額", "Account balance", "money", False, ""),
        ],
    ),
    (
        "APP",
        "技術生",
        "Apprentices",
        WORKFLOW_REVIEW,
        20,
        "working",
        [
            ("apprentices", "技術生人數", "Apprentices", "number", True, ""),
        ],
    ),
    (
        "EDU",
        "勞工教育",
        "Workers' education",
        WORKFLOW_STANDARD,
        30,
        "calendar",
        [
            ("course_date", "課程日期", "Course date", "date", True, ""),
            ("participants", "參加人數", "Participants", "number", False, ""),
        ],
    ),
    (
        "EMP",
        "就業服務",
        "Employment services",
        WORKFLOW_STANDARD,
        14,
        "working",
        [
            ("service_county", "服務縣市", "County of service", "county", False, ""),
            ("job_industry", "求職行業", "Industry sought", "industry", False, ""),
        ],
    ),
    (
        "VOL",
        "勞工志工",
        "Labour volunteers",
        WORKFLOW_STANDARD,
        30,
        "calendar",
        [
            ("volunteers", "志工人數", "Volunteers", "number", True, ""),
        ],
    ),
]
