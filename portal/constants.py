"""Fixed limits of room booking (what may be changed per room lives on ``Room``)."""

from .choices import BookingStatus

# Bookings that hold their slot: a request waiting for the room manager holds it too, so the
# manager never approves a booking that collides with one made meanwhile.
ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)

# A series is expanded to at most this many occurrences (a year of working days is ~250).
MAX_OCCURRENCES = 260
# The availability grid and the availability API: at most this many days and rooms at once.
MAX_GRID_DAYS = 31
MAX_GRID_ROOMS = 60
# The grid's visible hours (Asia/Taipei), in half-hour slots.
GRID_START_HOUR = 7
GRID_END_HOUR = 22
SLOT_MINUTES = 30
# Titles and notes.
TITLE_MAX = 200
MAX_ATTENDEES = 200

# Leave: the working hours of a day (Asia/Taipei) — the morning and afternoon halves.
LEAVE_DAY_HOURS = 8
LEAVE_PERIODS = (((8, 30), (12, 30)), ((13, 30), (17, 30)))
# A request spans at most this many calendar days; reasons at most this long.
LEAVE_MAX_DAYS = 370
LEAVE_REASON_MAX = 500
LEAVE_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
