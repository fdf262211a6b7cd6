"""Publishers: the region of a news-repository file (`region`), its commit or pull request (`news`), the
sticky pull-request comment (`comment`), and the mode names (`modes`).

Imports the layers below (git, services); never the report's computation or the renderers.
"""
