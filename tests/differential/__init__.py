"""Differential testing against vfilter itself: the ``parse`` and ``eval`` oracles built from
Velociraptor's VQL library (``../shared/oracles/vfilter/``), program and mutant generators, and
the agreement report behind ``make differential``."""
