"""The git layer: running git, walking history into `Commit` records, the commit cache, the replay of
path-limited walks, and the clones of remote repositories.

Owns every git process the package starts. Imports the base modules (`reporter.model`, `errors`, `files`,
`progress`) only: it knows nothing of MAINTAINERS, statistics or reports.
"""
