"""The learned multilingual judge: character n-grams and a sentence encoder, stacked per head.

Modules: :mod:`.corpus` (training data), :mod:`.model` (numpy inference, the cascade,
occlusion), :mod:`.train` (``vigie train``), :mod:`.report` (the judge's quality figures).
"""
