"""Speech recognition: a recording in, its transcript (and subtitles) out.

The tab is ``tab.py``."""
