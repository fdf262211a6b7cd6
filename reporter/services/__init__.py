"""Web services: HTTP with caching and bounded waits, the GitHub API (stars, releases, comments, pull
requests) and packaging figures (Repology, pypistats).

Imports the base modules and `reporter.git` (for the cache root) only.
"""
