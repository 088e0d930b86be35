"""Reports of the property app: the 增減結存表 (``balance``), its PDF and XLSX (``render``),
the per-movement forms (``forms``) and the transmission file (``transmission``)."""
