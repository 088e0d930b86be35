"""Fixed values of the accounts app shared by its parts."""

# Personal links one person may keep on the launcher.
MAX_QUICK_LINKS = 50
