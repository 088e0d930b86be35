"""Reference data of the shared kernel: the organisation chart and Taiwan's counties.

Loaded by data migrations (so every database has them) and reused by the demo loader.
"""

# (code, name_zh, name_en, letter, kind), in the Ministry of the Interior's order.
COUNTIES = [
    ("63000", "臺北市", "Taipei City", "A", "special_municipality"),
    ("65000", "新北市", "New Taipei City", "F", "special_municipality"),
    ("68000", "桃園市", "Taoyuan City", "H", "special_municipality"),
    ("66000", "臺中市", "Taichung City", "B", "special_municipality"),
    ("67000", "臺南市", "Tainan City", "D", "special_municipality"),
    ("64000", "高雄市", "Kaohsiung City", "E", "special_municipality"),
    ("10002", "宜蘭縣", "Yilan County", "G", "county"),
    ("10004", "新竹縣", "Hsinchu County", "J", "county"),
    ("10005", "苗栗縣", "Miaoli County", "K", "county"),
    ("10007", "彰化縣", "Changhua County", "N", "county"),
    ("10008", "南投縣", "Nantou County", "M", "county"),
    ("10009", "雲林縣", "Yunlin County", "P", "county"),
    ("10010", "嘉義縣", "Chiayi County", "Q", "county"),
    ("10013", "屏東縣", "Pingtung County", "T", "county"),
    ("10014", "臺東縣", "Taitung County", "V", "county"),
    ("10015", "花蓮縣", "Hualien County", "U", "county"),
    ("10016", "澎湖縣", "Penghu County", "X", "county"),
    ("10017", "基隆市", "Keelung City", "C", "city"),
    ("10018", "新竹市", "Hsinchu City", "O", "city"),
    ("10020", "嘉義市", "Chiayi City", "I", "city"),
    ("09020", "金門縣", "Kinmen County", "W", "county"),
    ("09007", "連江縣", "Lienchiang County", "Z", "county"),
]

MINISTRY_CODE = "MOL"
HEADQUARTERS_CODE = "MOL-HQ"

# (code, parent code, name_zh, name_en, abbreviation, kind), seed 壹-一.
ORGANIZATION_CHART = [
    (MINISTRY_CODE, None, "勞動部", "Ministry of Labor", "MOL", "ministry"),
    (HEADQUARTERS_CODE, MINISTRY_CODE, "部本部", "Ministry Headquarters", "", "headquarters"),
    # 六司
    ("DP", HEADQUARTERS_CODE, "綜合規劃司", "Department of Planning", "", "department"),
    ("DLR", HEADQUARTERS_CODE, "勞動關係司", "Department of Labor Relations", "", "department"),
    ("DLI", HEADQUARTERS_CODE, "勞動保險司", "Department of Labor Insurance", "", "department"),
    (
        "DLWR",
        HEADQUARTERS_CODE,
        "勞動福祉退休司",
        "Department of Labor Welfare and Retirement",
        "",
        "department",
    ),
    (
        "DLSEE",
        HEADQUARTERS_CODE,
        "勞動條件及就業平等司",
        "Department of Labor Standards and Equal Employment",
        "",
        "department",
    ),
    (
        "DLLA",
        HEADQUARTERS_CODE,
        "勞動法務司",
        "Department of Labor Legal Affairs",
        "",
        "department",
    ),
    # 輔助單位
    ("SEC", HEADQUARTERS_CODE, "秘書處", "Secretariat", "", "support_office"),
    ("PER", HEADQUARTERS_CODE, "人事處", "Department of Personnel", "", "support_office"),
    (
        "ETH",
        HEADQUARTERS_CODE,
        "政風處",
        "Department of Civil Service Ethics",
        "",
        "support_office",
    ),
    ("ACC", HEADQUARTERS_CODE, "會計處", "Department of Accounting", "", "support_office"),
    ("STA", HEADQUARTERS_CODE, "統計處", "Department of Statistics", "", "support_office"),
    (
        "IM",
        HEADQUARTERS_CODE,
        "資訊處",
        "Department of Information Management",
        "",
        "support_office",
    ),
    # 二署
    ("WDA", MINISTRY_CODE, "勞動力發展署", "Workforce Development Agency", "WDA", "administration"),
    (
        "OSHA",
        MINISTRY_CODE,
        "職業安全衛生署",
        "Occupational Safety and Health Administration",
        "OSHA",
        "administration",
    ),
    # 二局
    ("BLI", MINISTRY_CODE, "勞工保險局", "Bureau of Labor Insurance", "BLI", "bureau"),
    ("BLF", MINISTRY_CODE, "勞動基金運用局", "Bureau of Labor Funds", "BLF", "bureau"),
    # 一所
    (
        "ILOSH",
        MINISTRY_CODE,
        "勞動及職業安全衛生研究所",
        "Institute of Labor, Occupational Safety and Health",
        "ILOSH",
        "institute",
    ),
]
