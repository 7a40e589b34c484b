"""Learned classifiers: hashed n-gram features, linear heads, calibrated probabilities.

Runtime inference needs numpy only; training (:mod:`vigie.models.train`) needs the ``train`` extra
(scikit-learn).
"""
