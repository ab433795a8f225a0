"""Translation between languages, routed to the entry that serves the pair.

The tab is ``tab.py``."""
