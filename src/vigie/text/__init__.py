"""Text preparation that every detector reads.

Normalisation, obfuscation folding, language, lexicons and masks, prefilters, the character
language model, links and threads: shared work done once per comment.
"""
