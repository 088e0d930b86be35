#: The purpose of the approval chain a chair's 解除列管 goes through where the series asks for it
#: (documents.ChainTemplate.purpose; migration 0002 creates a default template).
CLOSE_PURPOSE = "meetings.case_close"

#: Scope of the tracked-case counter in core.sequences (per ROC year).
CASE_SEQUENCE = "meetings:case"

#: Files a unit may attach to its report.
ATTACHMENT_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

#: Tags the rich-text sections keep (sanitised with nh3 on save); the editor
#: (static/meetings/rich-text.js) writes no other. ``b`` and ``i`` are what browsers' editing
#: commands produce for bold and italic.
RICH_TEXT_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "ul",
    "ol",
    "li",
    "h3",
    "h4",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "blockquote",
}

#: The only attributes kept: spans of table cells (numbers; nh3 drops any other attribute,
#: event handlers and ``style`` included).
RICH_TEXT_ATTRIBUTES = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}
