"""Fill in the blank: what pre-training teaches a BERT, shown by its guesses for a hidden word.

The tab is ``tab.py``; its plain logic (blanks, clickable words, guesses put back) ``logic.py``; its Code panel
script ``snippet.py``; its Chinese text ``zh.py``."""
