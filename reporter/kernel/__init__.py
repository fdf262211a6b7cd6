"""Kernel knowledge and statistics: MAINTAINERS sections and their path sets, a year's ranges from tags,
people and employers, review credits, and the rankings and tables computed from `Commit` records.

Imports the base modules and `reporter.git`; knows nothing of web services, reports or formatting.
"""
