"""The ways a report is published (the action's `mode`), and the job summary's size limit."""

COMMIT = "commit"
PULL_REQUEST = "pull_request"
COMMENT = "comment"
SUMMARY = "summary"
MODES = (COMMIT, PULL_REQUEST, COMMENT, SUMMARY)

SUMMARY_LIMIT = 1024 * 1024  # bytes GitHub keeps of one step's job summary
