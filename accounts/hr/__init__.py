"""HR sync (人事資訊系統): the HR feed (pulled from a URL or a file) and the SCIM 2.0 push
endpoint keep accounts in step with the personnel system. See ``accounts/README.md``."""
