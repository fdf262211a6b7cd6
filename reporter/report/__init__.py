"""The yearly report: its configuration (`config`), its data (`data`, the shape of the JSON it writes) and
its run (`run`: what to compute for a year and where it goes).

`config` and `data` sit below the renderers, which read them; `run` sits above them, and calls them.
"""
