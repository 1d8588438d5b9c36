"""Open Badges 2.0 / 3.0 library: documents, canonicalisation, proofs, keys, baking, verification.

Pure Python with no Django imports, so that it can be used and tested on its own.
"""
