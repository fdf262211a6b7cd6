"""The web services' defaults, importable without the libraries that talk to them (PyGithub, requests):
the configuration and every command's parser read them, and most commands never ask a web service."""

DEFAULT_MAX_WAIT = 300.0  # seconds of a GitHub rate-limit wait before giving up
DEFAULT_STAR_MILESTONES = (100, 200, 500, 1000)
DEFAULT_RELEASE_MILESTONES = (100, 200, 500, 1000)
REPOLOGY_URL = "https://repology.org"
PYPISTATS_URL = "https://pypistats.org"
