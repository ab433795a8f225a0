"""Named entities: the people, organizations and places in a text, highlighted, with their offsets.

The tab is ``tab.py``."""
