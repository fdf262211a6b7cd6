"""Output formats: one module per format, each turning the report's data (`reporter.report.data`, plain
dataclasses and the JSON they make) into text; the post's words live in `templates/`.

Imports the layers below (base, kernel, services, the report's config and data); never `reporter.report.run`,
the publishers or git processes.
"""
